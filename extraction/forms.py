"""The admin's forms of the review workflow: importing an article, and the decisions on a
source's candidates (extraction/admin.py)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from core.dates import parse_partial_date
from core.validators import language_code_validator
from sources import importing, spans
from sources.models import Outlet


class ImportArticleForm(forms.Form):
    """An article as a file (kept byte for byte) or pasted, and what the text does not state."""

    file = forms.FileField(
        required=False,
        help_text=f"A text file, UTF-8 unless an encoding is given; at most "
        f"{importing.MAX_SOURCE_BYTES // (1024 * 1024)} MB. Its bytes are kept exactly.",
    )
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
        help_text="Or paste the text. Browsers send a pasted text's line breaks as CR LF: "
        "they are stored as LF, as a file's would be.",
    )
    encoding = forms.CharField(
        required=False, max_length=40, help_text="Only for a file that is not UTF-8."
    )
    title = forms.CharField(
        required=False, max_length=500, help_text="Leave empty to take the text's own title."
    )
    published_on = forms.CharField(
        required=False,
        label="Published on",
        help_text="YYYY-MM-DD, YYYY-MM or YYYY. Leave empty to take the date the text states "
        "(none is invented).",
    )
    outlet = forms.ModelChoiceField(queryset=Outlet.objects.order_by("name"), required=False)
    language = forms.CharField(
        required=False,
        max_length=3,
        validators=[language_code_validator],
        help_text="ISO 639 code. Leave empty to detect it (English, or undetermined).",
    )
    url = forms.URLField(required=False, assume_scheme="https", label="URL")
    extract = forms.BooleanField(
        required=False,
        initial=True,
        label="Propose its candidates",
        help_text="Extract candidate quotes and troop figures for review.",
    )

    def clean_published_on(self):
        value = self.cleaned_data["published_on"].strip()
        if not value:
            return None
        try:
            return parse_partial_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        upload, pasted = cleaned.get("file"), cleaned.get("text")
        if upload and pasted:
            raise forms.ValidationError("Give a file or a pasted text, not both.")
        if not upload and not pasted:
            raise forms.ValidationError("Give a file, or paste the text.")
        try:
            if upload:
                cleaned["source_text"] = importing.read_text(upload.read(), cleaned["encoding"])
            else:
                data = pasted.replace("\r\n", "\n").encode()
                cleaned["source_text"] = importing.read_text(data)
        except importing.ImportRefused as exc:
            self.add_error("file" if upload else "text", exc.message)
        return cleaned


class CandidateForm(forms.ModelForm):
    """A candidate's change form. Editing its words moves its span: the new words are found in
    the source (whitespace and quote-mark style aside), so that trimming or extending a
    quotation needs no offsets. The new span must overlap the old one (the words of the same
    quotation, not others elsewhere with the same speaker) and start and end on word bounds."""

    def clean(self):
        cleaned = super().clean()
        text, candidate = cleaned.get("text"), self.instance
        if "text" not in self.fields or text is None or text == candidate.text:
            return cleaned
        source_text = candidate.source.text
        found = [
            span
            for span in spans.locate(source_text, text)
            if span.start < candidate.end
            and candidate.start < span.end
            and _on_word_bounds(source_text, span.start, span.end)
        ]
        if not found:
            self.add_error(
                "text",
                "These words are not in the source where the candidate stands (whitespace "
                "and quote marks aside): the new span must overlap the old one, and start and "
                "end on whole words.",
            )
            return cleaned
        span = min(found, key=lambda span: abs(span.start - candidate.start))
        others = (
            type(candidate)
            .objects.filter(source=candidate.source, start=span.start, end=span.end)
            .exclude(pk=candidate.pk)
        )
        if others.exists():
            self.add_error("text", "Another candidate already has exactly this span.")
            return cleaned
        cleaned["text"] = span.text
        candidate.start, candidate.end = span.start, span.end
        return cleaned


def _on_word_bounds(text: str, start: int, end: int) -> bool:
    """Neither end of the span cuts a word in two."""
    cuts_start = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    cuts_end = end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    return not (cuts_start or cuts_end)


class AcceptAllForm(forms.Form):
    min_confidence = forms.FloatField(
        validators=[MinValueValidator(0), MaxValueValidator(1)], label="Confidence at least"
    )


class RejectionForm(forms.Form):
    reason = forms.CharField(max_length=2000)
