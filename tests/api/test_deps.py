"""The request's session: one commit after the handler, before the response; rollback on any error; 503 when
the database cannot be reached, on both dialects."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from api.app import create_app
from api.deps import SessionDep
from api.errors import install_error_handlers
from scoring.accounts.principal import Principal
from scoring.accounts.roles import Role
from scoring.errors import UnknownScopeError
from scoring.storage.engine import make_engine, session_factory
from tests.api.signin import TOKENS


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String, unique=True)


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    engine = make_engine(f"sqlite:///{tmp_path / 'notes.db'}")
    _Base.metadata.create_all(engine)
    app = FastAPI()
    app.state.sessions = session_factory(engine)
    install_error_handlers(app)

    @app.post("/notes/{text}", status_code=201)
    def write(text: str, session: SessionDep, fail: bool = False) -> dict[str, str]:
        session.add(Note(text=text))  # not flushed: the insert runs at the dependency's commit
        if fail:
            raise UnknownScopeError("no such place: the write is rolled back")
        return {"queued": text}

    @app.get("/notes")
    def count(session: SessionDep) -> int:
        return session.scalar(select(func.count()).select_from(Note)) or 0

    return TestClient(app)


def test_a_handler_that_returns_is_committed_once(client: TestClient) -> None:
    assert client.post("/notes/first").json() == {"queued": "first"}
    assert client.get("/notes").json() == 1


def test_a_handler_that_raises_writes_nothing(client: TestClient) -> None:
    r = client.post("/notes/lost", params={"fail": True})
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert client.get("/notes").json() == 0


def test_a_failed_commit_answers_with_an_error_not_the_handlers_success(client: TestClient) -> None:
    assert client.post("/notes/same").status_code == 201
    again = client.post("/notes/same")  # the unique key fails at the commit, after the handler returned
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    assert "sqlite" not in again.text.lower() and "notes" not in again.text
    assert client.get("/notes").json() == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again on leaving: nothing listens there


@pytest.mark.parametrize("url", [
    "sqlite:////nonexistent-dir/stewards.db",
    f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/stewards?connect_timeout=2",
])
def test_a_database_outage_is_a_503_on_every_route_that_reads(url: str, tmp_path: Path) -> None:
    app = create_app(create_engine(f"sqlite:///{tmp_path / 'x.db'}"), tokens=TOKENS)
    app.state.sessions = session_factory(make_engine(url))  # the store goes away after start-up
    client = TestClient(app)
    token = TOKENS.issue(Principal(1, "zhao", Role.STEWARD, steward_id=1), datetime.now(UTC))
    signed_in = {"Authorization": f"Bearer {token}"}
    for path in ("/health", "/leaderboard", "/registry/lanes", "/cases"):
        r = client.get(path, headers=signed_in)
        assert (r.status_code, r.json()["code"]) == (503, "storage_unavailable"), path
        assert "retry" in r.json()["detail"] and "127.0.0.1" not in r.text
    r = client.post("/flags/1/appeal", json={"text": "原地劝阻"}, headers=signed_in)
    assert r.status_code == 503  # the account is read from the store that is down


def test_the_session_is_closed_after_the_request(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[Session] = []
    original = Session.close

    def close(self: Session) -> None:
        closed.append(self)
        original(self)

    monkeypatch.setattr(Session, "close", close)
    client.get("/notes")
    client.post("/notes/x", params={"fail": True})
    assert len(closed) == 2
