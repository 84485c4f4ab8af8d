"""Helpers of the admin tests: admin URLs and the POST data of a quote's change form."""

from django.urls import reverse


def admin_url(model, action="changelist", *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


def quote_form_data(quote, **overrides):
    """The POST data of a quote's change form, as the browser would send it unchanged."""
    data = {
        "speaker": quote.speaker_id,
        "kind": quote.kind,
        "status": quote.status,
        "source": quote.source_id,
        "text": quote.text,
        "start": quote.start,
        "end": quote.end,
        "occurrence": "",
        "said_on": quote.said_on.isoformat() if quote.said_on else "",
        "said_on_precision": quote.said_on_precision,
        "said_on_note": quote.said_on_note,
        "event": quote.event_id or "",
        "language": quote.language,
        "original_language": quote.original_language,
        "treaties": [t.pk for t in quote.treaties.all()],
        "attribution_note": quote.attribution_note,
        "note": quote.note,
    }
    if quote.said_on_inferred:
        data["said_on_inferred"] = "on"
    if quote.is_translation:
        data["is_translation"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
