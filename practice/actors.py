"""Who did something: a member signed in to the pages, or a practice's system through its key.

Actions are recorded by who did them, never by a name someone typed: the pages pass the
signed-in member, the API passes the request's key.
"""

from dataclasses import dataclass

from practice.models import APIKey, Membership


@dataclass(frozen=True)
class Actor:
    member: Membership | None = None
    api_key: APIKey | None = None

    def __post_init__(self):
        if (self.member is None) == (self.api_key is None):
            raise ValueError("An actor is a member or an API key.")

    @property
    def type(self) -> str:
        return "member" if self.member is not None else "api_key"

    @property
    def name(self) -> str:
        """The member's address, or the key's name."""
        return self.member.email if self.member is not None else self.api_key.name

    @property
    def label(self) -> str:
        """How the actor is shown: the member's address, or the key's name."""
        if self.member is not None:
            return self.member.email
        return f"API key “{self.api_key.name}”"

    def as_data(self) -> dict:
        """Ids only, for webhooks: the member's id, or the key's id and name."""
        if self.member is not None:
            return {"type": self.type, "id": str(self.member.pk)}
        return {"type": self.type, "id": str(self.api_key.pk), "name": self.api_key.name}
