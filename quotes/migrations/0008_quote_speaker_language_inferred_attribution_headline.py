"""A quote's speaker language, inferred attribution and headline mark (issue #13's data
corrections)."""

import django.core.validators
from django.db import migrations, models

from sources.db import RestoreSpanBoundsTrigger


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0007_restore_quote_span_trigger"),
        ("sources", "0006_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalquote",
            name="attribution_inferred",
            field=models.BooleanField(
                default=False,
                help_text="The words that attribute the quote do not name its speaker (no one, or a place or body for a person): the speaker is worked out from the text around it, and the attribution note says how.",
            ),
        ),
        migrations.AddField(
            model_name="historicalquote",
            name="from_headline",
            field=models.BooleanField(
                default=False,
                help_text="The quote is in the source's headline (a record apart from the same words in the body).",
            ),
        ),
        migrations.AddField(
            model_name="historicalquote",
            name="speaker_language",
            field=models.CharField(
                blank=True,
                help_text="The language the speaker used, where the text or common knowledge supports it; blank when unknown.",
                max_length=3,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[a-z]{2,3}$",
                        "Use an ISO 639 language code in lower case, such as en or ru.",
                    )
                ],
            ),
        ),
        migrations.AddField(
            model_name="quote",
            name="attribution_inferred",
            field=models.BooleanField(
                default=False,
                help_text="The words that attribute the quote do not name its speaker (no one, or a place or body for a person): the speaker is worked out from the text around it, and the attribution note says how.",
            ),
        ),
        migrations.AddField(
            model_name="quote",
            name="from_headline",
            field=models.BooleanField(
                default=False,
                help_text="The quote is in the source's headline (a record apart from the same words in the body).",
            ),
        ),
        migrations.AddField(
            model_name="quote",
            name="speaker_language",
            field=models.CharField(
                blank=True,
                help_text="The language the speaker used, where the text or common knowledge supports it; blank when unknown.",
                max_length=3,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[a-z]{2,3}$",
                        "Use an ISO 639 language code in lower case, such as en or ru.",
                    )
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalquote",
            name="is_translation",
            field=models.BooleanField(
                default=False,
                help_text="The recorded words are a translation: of what the speaker said, or of a text that reported it (every quote of a translated source).",
            ),
        ),
        migrations.AlterField(
            model_name="historicalquote",
            name="original_language",
            field=models.CharField(
                blank=True,
                help_text="Set when the words are a translation: the language they were translated from (for a translated source, the source's original language).",
                max_length=3,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[a-z]{2,3}$",
                        "Use an ISO 639 language code in lower case, such as en or ru.",
                    )
                ],
            ),
        ),
        migrations.AlterField(
            model_name="quote",
            name="is_translation",
            field=models.BooleanField(
                default=False,
                help_text="The recorded words are a translation: of what the speaker said, or of a text that reported it (every quote of a translated source).",
            ),
        ),
        migrations.AlterField(
            model_name="quote",
            name="original_language",
            field=models.CharField(
                blank=True,
                help_text="Set when the words are a translation: the language they were translated from (for a translated source, the source's original language).",
                max_length=3,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[a-z]{2,3}$",
                        "Use an ISO 639 language code in lower case, such as en or ru.",
                    )
                ],
            ),
        ),
        migrations.AddConstraint(
            model_name="quote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("speaker_language", ""),
                    ("speaker_language", models.F("language")),
                    ("is_translation", True),
                    _connector="OR",
                ),
                name="quote_other_speaker_language_is_translation",
                violation_error_message="Words in another language than the speaker's are a translation.",
            ),
        ),
        migrations.AddConstraint(
            model_name="quote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("attribution_inferred", False),
                    models.Q(("attribution_note", ""), _negated=True),
                    _connector="OR",
                ),
                name="quote_inferred_attribution_has_note",
                violation_error_message="An inferred attribution says how in its note.",
            ),
        ),
        # SQLite adds the constraints by rebuilding quotes_quote, which drops its span trigger.
        RestoreSpanBoundsTrigger("quote"),
    ]
