"""Declarative base and the column helpers every table shares."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON, int: BigInteger}


def id_pk() -> Mapped[str]:
    return mapped_column(String(26), primary_key=True)


def ref(**kw: Any) -> Mapped[str]:
    """A 26-character id column that refers to another row (no FK: soft deletes keep ids alive)."""
    return mapped_column(String(26), **kw)


def ms(default: int = 0, **kw: Any) -> Mapped[int]:
    return mapped_column(BigInteger, default=default, server_default=str(default), **kw)


def flag(default: bool = False) -> Mapped[bool]:
    return mapped_column(default=default, server_default="1" if default else "0")


def text(length: int, default: str = "") -> Mapped[str]:
    return mapped_column(String(length), default=default, server_default=default)
