"""One settings object for the whole product, nested by concern.

Built once at the edge (``bot.cli.main``) and passed down; nothing here reads the
environment at import time. Every field is read from its own environment variable (or a
``.env`` file) whose name does not depend on the nesting: ``settings.store.data_dir`` is
``RNKBOT_DATA_DIR``, ``settings.telegram.bot_token`` is ``TELEGRAM_BOT_TOKEN``. An empty value
means the default. ``.env.example`` is generated from these classes (``rnkbot env-example``),
and a test keeps the two the same.

The sections are defined by concern in the modules of this package (:mod:`.base` holds what
they are built from); this module assembles them into :class:`Settings`, reads them from the
environment, and writes ``.env.example``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from retrieval.settings.base import PROJECT_ROOT, Section, env, env_list
from retrieval.settings.digest import DigestSettings
from retrieval.settings.models import AnsweringSettings, EmbeddingSettings, LLMSettings
from retrieval.settings.store import FetchSettings, IndexSettings, StoreSettings, TopicSettings
from retrieval.settings.telegram import LoggingSettings, TelegramSettings

__all__ = [
    "ENV_EXAMPLE_HEAD", "PROJECT_ROOT", "AnsweringSettings", "DigestSettings", "EmbeddingSettings", "FetchSettings",
    "IndexSettings", "LLMSettings", "LoggingSettings", "Section", "Settings", "StoreSettings", "TelegramSettings",
    "TopicSettings", "env", "env_example", "env_list", "fields", "setting_name", "variable",
]


class _Variables(PydanticBaseSettingsSource):
    """Each field of each section from its own variable (``RNKBOT_DATA_DIR``, not ``STORE__DATA_DIR``)."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str | None]) -> None:
        super().__init__(settings_cls)
        self.variables = variables  # names lower-cased, empty values dropped (pydantic-settings does both)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads whole sections

    def __call__(self) -> dict[str, Any]:
        found: dict[str, dict[str, Any]] = {}
        for section, name, field in fields(self.settings_cls):
            value = self.variables.get(variable(field).lower())
            if value is not None:
                found.setdefault(section, {})[name] = value
        return found


class Settings(BaseSettings):
    """All of rnkbot's configuration, one section per concern."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="forbid", frozen=True,
        env_ignore_empty=True,  # `.env.example` copied as it is: an empty value means the default
        hide_input_in_errors=True,
    )

    store: StoreSettings = Field(default_factory=StoreSettings, description=StoreSettings.__doc__)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description=EmbeddingSettings.__doc__)
    llm: LLMSettings = Field(default_factory=LLMSettings, description=LLMSettings.__doc__)
    answering: AnsweringSettings = Field(default_factory=AnsweringSettings, description=AnsweringSettings.__doc__)
    index: IndexSettings = Field(default_factory=IndexSettings, description=IndexSettings.__doc__)
    fetch: FetchSettings = Field(default_factory=FetchSettings, description=FetchSettings.__doc__)
    topic: TopicSettings = Field(default_factory=TopicSettings, description=TopicSettings.__doc__)
    digest: DigestSettings = Field(default_factory=DigestSettings, description=DigestSettings.__doc__)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings, description=TelegramSettings.__doc__)
    logging: LoggingSettings = Field(default_factory=LoggingSettings, description=LoggingSettings.__doc__)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments first, then the environment, then ``.env`` (``_env_file=None`` skips it)."""
        sources: list[PydanticBaseSettingsSource] = [init_settings]
        for source in (env_settings, dotenv_settings):
            variables = getattr(source, "env_vars", None)
            if variables is None:
                raise TypeError(f"{type(source).__name__} has no env_vars: pydantic-settings changed; adapt _Variables")
            sources.append(_Variables(settings_cls, variables))
        return tuple(sources)

    @property
    def digest_db_path(self) -> Path:
        return self.digest.db or self.store.data_dir / "digest.sqlite3"

    def updated(self, **sections: Mapping[str, Any]) -> Settings:
        """A copy with some fields changed, section by section, validated:
        ``settings.updated(store={"data_dir": path}, llm={"threads": 1})``."""
        changes: dict[str, Any] = {}
        for name, values in sections.items():
            current: Section = getattr(self, name)
            changes[name] = type(current).model_validate(current.model_dump() | dict(values))
        return self.model_copy(update=changes)


def fields(settings_cls: type[BaseModel] = Settings) -> list[tuple[str, str, FieldInfo]]:
    """``(section, field name, field)`` for every setting, in declaration order."""
    out = []
    for section, holder in settings_cls.model_fields.items():
        model = holder.annotation
        assert isinstance(model, type) and issubclass(model, Section), section
        out += [(section, name, field) for name, field in model.model_fields.items()]
    return out


def variable(field: FieldInfo) -> str:
    """The environment variable of a section field."""
    assert isinstance(field.validation_alias, str), field
    return field.validation_alias


def setting_name(loc: tuple[int | str, ...]) -> str:
    """The variable behind a validation error's location (``("llm", "threads")`` -> ``RNKBOT_LLM_THREADS``)."""
    if len(loc) >= 2 and loc[0] in Settings.model_fields:
        for section, name, field in fields():
            if section == loc[0] and loc[1] in (name, variable(field)):
                return variable(field)
    return ".".join(str(part) for part in loc)


# --- .env.example ---------------------------------------------------------------------
ENV_EXAMPLE_HEAD = """\
# Copy to .env and fill in what you need. Every setting can also be an environment variable.
# Secrets (tokens, keys) are read only from here or the environment, and never logged.
# An empty value means the default. This file is generated from retrieval/settings/ by
# `rnkbot env-example > .env.example` (a test checks that they agree): edit the settings, not this.
"""


def _example_value(field: FieldInfo) -> str:
    """The default as it would be written in ``.env``; empty where it depends on the machine or is a secret."""
    value = field.get_default(call_default_factory=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int | str):
        return str(value)
    return ""


def env_example() -> str:
    """The text of ``.env.example``: every setting with its description and default, by section."""
    parts = [ENV_EXAMPLE_HEAD]
    for section, holder in Settings.model_fields.items():
        lines = [f"# --- {section} ".ljust(100, "-"), f"# {holder.description}", "#"]
        model = holder.annotation
        assert isinstance(model, type) and issubclass(model, Section)
        for field in model.model_fields.values():
            lines += textwrap.wrap(field.description or "", width=98, initial_indent="# ", subsequent_indent="# ")
            lines.append(f"{variable(field)}={_example_value(field)}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
