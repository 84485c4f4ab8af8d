"""Admin forms for span-holding models: a researcher pastes the text, the span is found."""

from django import forms
from django.core.exceptions import ValidationError

from sources import spans
from sources.models import Source

LOCATE_HELP = "Leave start and end empty to locate the text in the source."


class SpanLocatingForm(forms.ModelForm):
    """A form for a SourceSpan model whose start and end may be left empty.

    Then the text is looked up in the source (whitespace and quote-mark style aside): not found
    is an error; found more than once asks the researcher to pick the occurrence; found once
    fills in start and end, and the text as it stands in the source.
    """

    # Chosen by the occurrence's start offset, not its rank: if the researcher also edits the
    # text, a stale choice matches nothing and is asked again, instead of silently picking
    # another occurrence.
    occurrence = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        help_text="When the text occurs more than once in the source: which one.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].required = False
            self.fields[name].help_text = f"{self.fields[name].help_text} {LOCATE_HELP}"
        self.fields["occurrence"].choices = [("", "—")] + [
            (span.start, self.describe(span, context)) for span, context in self.candidates()
        ]

    def candidates(self):
        """The occurrences of the submitted text in the submitted source, with their context."""
        if not self.is_bound:
            return []
        try:
            source = Source.objects.get(pk=self.data.get(self.add_prefix("source")))
        except (Source.DoesNotExist, ValueError, TypeError):
            return []
        text = self.data.get(self.add_prefix("text")) or ""
        return [
            (span, spans.context(source.text, span.start, span.end, chars=40))
            for span in spans.locate(source.text, text)
        ]

    @staticmethod
    def describe(span, context):
        before, after = (spans.normalize(part) for part in context)
        return (
            f"characters {span.start}–{span.end}: …{before} [{spans.normalize(span.text)}] {after}…"
        )

    def clean(self):
        cleaned = super().clean()
        source, text = cleaned.get("source"), cleaned.get("text")
        start, end = cleaned.get("start"), cleaned.get("end")
        if (start is None) != (end is None):
            raise ValidationError("Give both start and end, or leave both empty.")
        if source is None or not text or start is not None:
            return cleaned
        found = spans.locate(source.text, text)
        if not found:
            raise ValidationError(
                {"text": "This text is not in the source (whitespace and quote marks aside)."}
            )
        if len(found) > 1:
            chosen = [span for span in found if span.start == cleaned.get("occurrence")]
            if not chosen:
                raise ValidationError(
                    {
                        "occurrence": f"The text occurs {len(found)} times in the source: "
                        "choose which one."
                    }
                )
            span = chosen[0]
        else:
            span = found[0]
        cleaned.update(start=span.start, end=span.end, text=span.text)
        return cleaned
