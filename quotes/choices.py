"""Enumerations of the quotes app."""

from django.db import models


class OrganizationKind(models.TextChoices):
    ALLIANCE = "alliance", "Alliance"
    GOVERNMENT = "government", "Government or head of state's office"
    MINISTRY = "ministry", "Ministry"
    PARTY = "party", "Political party"
    OTHER = "other", "Other"


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Person"
    INSTITUTION = "institution", "Institution"


class EventKind(models.TextChoices):
    SUMMIT = "summit", "Summit"
    CONFERENCE = "conference", "Conference"
    PRESS_CONFERENCE = "press_conference", "Press conference"
    PRESS_BRIEFING = "press_briefing", "Press briefing"
    DOORSTEP = "doorstep", "Doorstep statement"
    STATEMENT = "statement", "Written statement"
    SPEECH = "speech", "Speech"
    CAMPAIGN = "campaign", "Election campaign"
    MEETING = "meeting", "Meeting"
    OTHER = "other", "Other"


class QuoteKind(models.TextChoices):
    STATEMENT = "statement", "Statement"
    FRAGMENT = "fragment", "Fragment"


class TreatyStatusKind(models.TextChoices):
    SIGNED = "signed", "Signed"
    ENTERED_INTO_FORCE = "entered_into_force", "Entered into force"
    OBLIGATIONS_SUSPENDED = "obligations_suspended", "Obligations suspended by a party"
    PARTICIPATION_SUSPENDED = "participation_suspended", "Participation suspended by a party"
    WITHDRAWN = "withdrawn", "A party withdrew"
    TERMINATED = "terminated", "Terminated"
