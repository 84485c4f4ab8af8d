"""Read replicas (placeholder until the router lands)."""


class PrimaryForWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class ReplicaRouter:
    pass
