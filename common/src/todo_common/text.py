"""Text types for wire models: what PostgreSQL can store in a text column."""

from typing import Annotated

from pydantic import AfterValidator

NO_NUL_PATTERN = r"^[^\x00]*$"
"""The NUL rule as a pattern, for query parameters (the only rule a URL's text can break)."""


def storable(value: str) -> str:
    """`value`, if a text column can hold it; else ValueError saying why."""
    # Refused at the edge (422) instead of failing in SQL: PostgreSQL text cannot hold U+0000,
    # and a lone surrogate (JSON allows "\ud800") has no UTF-8 encoding.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (U+0000)")
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from exc
    return value


Storable = AfterValidator(storable)
"""Use after any StringConstraints: `Annotated[str, StringConstraints(...), Storable]`."""

PlainText = Annotated[str, Storable]
