"""Text types for wire models: what PostgreSQL can store in a text column."""

from typing import Annotated

from pydantic import AfterValidator

NO_NUL_PATTERN = r"^[^\x00]*$"


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold U+0000; refuse it at the edge (422) instead of failing in SQL.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (U+0000)")
    return value


NoNul = AfterValidator(_no_nul)
"""Use after any StringConstraints: `Annotated[str, StringConstraints(...), NoNul]`."""

PlainText = Annotated[str, NoNul]
