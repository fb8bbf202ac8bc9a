"""The glossary (`lessons/glossary.toml`): every term the lessons use, each with a short
definition. Lessons link the first use of each term to it when they render."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

GLOSSARY = Path(__file__).parent / "glossary.toml"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# A form is matched in running text: an empty or blank one would match everywhere.
FORM = r"^\S(?:.*\S)?$"
Form = Annotated[str, Field(min_length=1, max_length=60, pattern=FORM)]


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Annotated[str, Field(pattern=SLUG)]  # the anchor: /glossary/#slug
    term: Form
    aliases: list[Form] = []  # other forms that are linked to it ("messages", "DLQ")
    definition: Annotated[str, Field(min_length=1, max_length=1200)]  # Markdown
    see: list[str] = []  # slugs of related terms

    @property
    def forms(self) -> list[str]:
        return [self.term, *self.aliases]


class Glossary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: list[Term]

    @model_validator(mode="after")
    def _consistent(self) -> Glossary:
        slugs = [t.slug for t in self.terms]
        if len(set(slugs)) != len(slugs):
            raise ValueError("two terms have the same slug")
        forms = [f.lower() for t in self.terms for f in t.forms]
        if len(set(forms)) != len(forms):
            raise ValueError("two terms share a form (term or alias)")
        unknown = sorted({s for t in self.terms for s in t.see} - set(slugs))
        if unknown:
            raise ValueError(f"'see' names unknown terms: {', '.join(unknown)}")
        return self

    def pattern(self) -> re.Pattern[str]:
        """Any form of any term as a whole word, longest first ("dead-letter queue" before
        "queue")."""
        forms = sorted({f for t in self.terms for f in t.forms}, key=len, reverse=True)
        alternatives = "|".join(re.escape(f) for f in forms)
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)

    def by_form(self) -> dict[str, Term]:
        return {f.lower(): t for t in self.terms for f in t.forms}


class GlossaryError(ValueError):
    pass


@cache
def load_glossary(path: Path = GLOSSARY) -> Glossary:
    try:
        return Glossary.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise GlossaryError(f"{path}: {error}") from None
