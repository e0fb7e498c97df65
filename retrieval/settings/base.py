"""What every settings section is built from: :class:`Section` and :func:`env`, the field read
from its own environment variable, and ``PROJECT_ROOT`` for the defaults of paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: Any = ..., *, description: str, **constraints: Any) -> Any:
    """A field read from the environment variable ``name`` (the variable names are a public interface)."""
    return Field(default, validation_alias=name, description=description, **constraints)


def env_list(name: str, *, description: str) -> Any:
    return Field(default_factory=list, validation_alias=name, description=description)


class Section(BaseModel):
    """A group of settings of one concern. Built by :class:`~retrieval.settings.Settings`, or directly in tests."""

    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, extra="forbid", frozen=True,
        hide_input_in_errors=True,  # a bad value must not print a token or a secret
    )
