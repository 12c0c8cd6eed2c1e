"""python -m intents prints one JSON object per utterance."""

from __future__ import annotations

import io
import json

from intents.__main__ import main


def test_one_utterance(capsys):
    assert main(["how", "do", "I", "do", "the", "cobra", "stretch"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "intent": "start_exercise",
        "exercise": "Cobra Stretch",
        "step": None,
        "total_steps": 4,
        "score": 100.0,
        "candidates": [],
    }


def test_batch(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("the stretch\nwhat's the weather\n"))
    assert main(["--batch"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["candidates"] == ["Lying Hip Stretch", "Cobra Stretch"]
    assert second["intent"] == "out_of_scope"
