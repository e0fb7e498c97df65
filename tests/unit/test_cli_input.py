"""Careless and hostile input on the command line and in the terminal chat: a clear line, never a
traceback. The real CLI and chat on the fake core (in-memory index, no model: answers quote)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import bot.cli
from bot.chat import run_chat
from bot.cli import main
from retrieval.service import AnswerService
from tests.unit.conftest import fake_service

GREETINGS_Q = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"


@pytest.fixture
def core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AnswerService:
    monkeypatch.chdir(tmp_path)  # no stray .env
    service = fake_service(tmp_path / "data", None)
    monkeypatch.setattr(bot.cli, "_service", lambda settings, with_llm=True: service)
    return service


def ask(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(["ask", "--json", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, (json.loads(out) if out.strip() else None), err


@pytest.mark.parametrize("question, error", [
    ("", "give a question"), ("   \n\t ", "the question is empty"), ("\u200b\u200d\ufeff", "the question is empty"),
    ("🙂🙂🙂", "has no words"), ("?!… 🇷🇺🇰🇵", "has no words"),
])
def test_empty_or_wordless_questions_get_a_usage_line(core, capsys, question, error):
    code, out, err = ask(capsys, question)
    assert code == 2 and out is None and error in err and err.count("\n") == 1


def test_a_10000_character_question_is_cut_and_answered(core, capsys):
    # Pasted again and again: the padding adds no words of its own (words the articles lack, such as
    # "tolong jelaskan dengan rinci", make the evidence model refuse; that is the answerer's concern).
    code, out, err = ask(capsys, (GREETINGS_Q + " ") * 200)
    assert code == 0 and out is not None and not out["refused"] and "Putin" in out["answer"]
    assert "its first" in err and len(out["question"]) <= core.settings.answering.max_question_chars


@pytest.mark.parametrize("question", [
    "Whose\x00 greetings\x1b[2J did\u200b Krivoruchko\u202e pass on to Kim Jong Un?",
    "<b>Whose</b> greetings did **Krivoruchko** pass on to _Kim Jong Un_? <script>alert(1)</script>",
    "ما هي رسالة بوتين إلى كيم جونغ أون؟",
    "Чьи приветствия передал Криворучко Ким Чен Ыну? 김정은",
])
def test_control_characters_markup_and_other_scripts_are_answered_or_refused(core, capsys, question):
    code, out, _ = ask(capsys, question)
    assert code == 0 and out is not None and out["answer"]
    assert "\x00" not in out["question"] and "\u202e" not in out["question"]


def test_batch_lines_that_are_no_questions_are_reported_in_place(core, capsys, tmp_path: Path):
    batch = tmp_path / "q.txt"
    batch.write_text(f"{GREETINGS_Q}\n🙂\n{json.dumps({'question': chr(0x200b)})}\n{GREETINGS_Q}\n", encoding="utf-8")
    assert main(["ask", "--json", "--batch", str(batch)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [("error" in r) for r in rows] == [False, True, True, False]
    assert "no words" in rows[1]["error"] and "empty" in rows[2]["error"]


def batch_rows(capsys, batch: Path) -> tuple[list[dict], str]:
    assert main(["ask", "--json", "--batch", str(batch)]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return [json.loads(line) for line in out.splitlines()], err


def test_every_batch_line_has_one_output_line_in_its_place(core, capsys, tmp_path: Path):
    """Blank and whitespace-only lines were skipped (18 lines in, 16 out): the answers no longer lined up."""
    lines = [GREETINGS_Q, "", "   \t ", json.dumps({"question": ""}), json.dumps({"question": f"{GREETINGS_Q}\u2028"}),
             GREETINGS_Q + "\r", ""]
    batch = tmp_path / "q.txt"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, _ = batch_rows(capsys, batch)
    assert len(rows) == len(lines) == len(batch.read_bytes().splitlines())
    assert [r.get("error") for r in rows] == [None, "line 2: the question is empty", "line 3: the question is empty",
                                              "line 4: the question is empty", None, None, "line 7: the question is empty"]
    assert [r["question"] for r in rows if "error" not in r] == [GREETINGS_Q] * 3


def test_a_question_given_with_batch_is_a_usage_error(core, capsys, tmp_path: Path):
    batch = tmp_path / "q.txt"
    batch.write_text(GREETINGS_Q + "\n", encoding="utf-8")
    code, out, err = ask(capsys, "--batch", str(batch), "Who is Kozlov?")
    assert code == 2 and out is None and err.count("\n") == 1 and "not both" in err


def test_a_long_batch_line_is_cut_answered_and_warned_about_by_its_number(core, capsys, tmp_path: Path):
    batch = tmp_path / "q.txt"
    batch.write_text(f"{GREETINGS_Q}\n{(GREETINGS_Q + ' ') * 200}\n", encoding="utf-8")
    rows, err = batch_rows(capsys, batch)
    limit = core.settings.answering.max_question_chars
    assert len(rows) == 2 and "error" not in rows[1] and len(rows[1]["question"]) <= limit
    assert err.count("\n") == 1 and err.startswith("rnkbot ask: line 2: the question was ") and "its first" in err


def test_a_batch_line_that_is_not_utf8_is_reported_in_its_place(core, capsys, tmp_path: Path):
    """A Latin-1 "Qu\xe9?" raised UnicodeDecodeError: a traceback and no answer at all."""
    batch = tmp_path / "lat.txt"
    batch.write_bytes(b"\xef\xbb\xbf" + GREETINGS_Q.encode() + b"\nQu\xe9?\n" + json.dumps({"question": GREETINGS_Q}).encode()
                      + b"\r\n")
    rows, err = batch_rows(capsys, batch)
    assert [r.get("error") for r in rows] == [
        None, "line 2: not UTF-8 text (byte 0xe9 at column 3): save the file as UTF-8", None]
    assert rows[1]["question"] == "Qu\ufffd?" and rows[0]["question"] == rows[2]["question"] == GREETINGS_Q
    assert err == ""


def test_a_labelled_set_that_is_not_utf8_is_one_line_naming_file_and_line(core, capsys, tmp_path: Path):
    labelled = tmp_path / "set.jsonl"
    labelled.write_bytes(json.dumps({"question": GREETINGS_Q}).encode() + b'\n{"question": "Qu\xe9?"}\n')
    assert main(["eval", str(labelled)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"rnkbot eval: {labelled}:2: not UTF-8 text (byte 0xe9 at column 17): save the file as UTF-8\n"


def test_a_dotenv_that_is_not_utf8_names_its_line_never_the_value(core, capsys, tmp_path: Path):
    (tmp_path / ".env").write_bytes(b"# keys\nRNKBOT_LLM_API_KEY=sk-secret\x80value\n")
    assert main(["-v", "about"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == "rnkbot: .env is not UTF-8 text (line 2, the value of RNKBOT_LLM_API_KEY): save it as UTF-8\n"


def test_a_wrong_option_value_or_command_is_a_usage_error(core, capsys):
    for argv, error in ((["ask", "--lang", "xx", GREETINGS_Q], "invalid choice: 'xx'"), (["frobnicate"], "invalid choice")):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2 and error in capsys.readouterr().err


def test_the_terminal_chat_explains_rather_than_asks(core):
    stdin = io.StringIO("/lang xx\n/frobnicate\n🙂\n\u200b\n/lang en\n" + GREETINGS_Q + "\n" + "x" * 3000 + "\n/quit\n")
    stdout = io.StringIO()
    assert run_chat(core, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert "unknown language “xx”" in out and out.count("Commands: /lang") == 2, "an unknown command shows the help"
    assert "I need a question in words" in out and "(reply language: en)" in out
    assert "Putin" in out and "I used its first" in out


def test_the_terminal_chat_names_an_unknown_command_and_reads_commands_in_any_case(core):
    stdin = io.StringIO("/frobnicate\n/lang\n/LANG EN\n/lang\n/quit\n")
    stdout = io.StringIO()
    assert run_chat(core, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert "(unknown command “/frobnicate”)" in out
    assert "(the language of the answers, now auto: /lang id, /lang en or /lang auto)" in out and "“”" not in out
    assert "(reply language: en)" in out, "/LANG EN is /lang en"
    assert "(the language of the answers, now en:" in out, "/lang alone says which language it is now"


def test_the_terminal_chat_answers_help_as_a_command_it_knows(core):
    stdin = io.StringIO("/help\n/HELP\n/start\n/quit\n")
    stdout = io.StringIO()
    assert run_chat(core, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert "unknown command" not in out, "/help (what the Telegram bot teaches) is not unknown here"
    assert out.count("Commands: /lang") == 4, "the greeting, then the help once for each"
    assert "/help" in out.split("Commands:")[1]


def test_at_a_terminal_lines_are_read_with_line_editing(core, monkeypatch: pytest.MonkeyPatch):
    """At the process's own terminal the chat reads with input() (readline: arrow keys edit the line
    and recall earlier questions; they arrived as "^[[A" in the question), and Ctrl-D ends it."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    typed = iter(["/lang en", "/help"])
    prompts: list[str] = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    stdout = Terminal()
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("sys.stdout", stdout)
    monkeypatch.setattr("builtins.input", fake_input)
    assert run_chat(core) == 0
    assert prompts == ["\n> "] * 3, "two lines typed, then Ctrl-D"
    assert stdout.getvalue().count("Commands: /lang") == 2


def test_a_server_down_mid_chat_is_said_and_the_chat_goes_on(core, monkeypatch: pytest.MonkeyPatch):
    """The index's server (or the embedder's, or the model's) gone while chatting ended the chat
    with the error; now the chat says so, keeps the conversation, and answers once it is back."""
    from retrieval.index.store import StoreError

    real_ask, calls = core.ask, []

    def ask(question, **kwargs):
        calls.append(question)
        if len(calls) == 2:
            raise StoreError("the index at chroma.internal:8000 cannot be reached (connection refused).")
        return real_ask(question, **kwargs)

    monkeypatch.setattr(core, "ask", ask)
    stdin = io.StringIO("Who did Krivoruchko meet?\nkapan itu?\nkapan itu?\n/quit\n")
    stdout = io.StringIO()
    assert run_chat(core, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert "(I cannot answer right now: the index at chroma.internal:8000 cannot be reached (connection refused). " \
           "The conversation is kept" in out
    assert len(calls) == 3 and out.count("Sources:") + out.count("Sumber:") == 2, "asked again, answered"
