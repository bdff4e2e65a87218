"""bench: the smoke configuration CI runs (figures printed, nothing timed is asserted)."""
import json

from django.core.management import call_command

from greenoffice.bench import PAGES


def test_bench_writes_the_documented_json_keys(scale_data):
    out = scale_data / "bench.json"
    call_command("bench", requests=3, reports=1, json_path=str(out), stdout=open(scale_data / "bench.log", "w"))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["n_units"] == 30
    assert set(data["pages"]) == {key for key, *_rest in PAGES}
    for key, figures in data["pages"].items():
        assert {"p50_ms", "p95_ms", "max_ms", "queries"} <= set(figures), key
        assert figures["requests"] == 3
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
        assert figures["queries"] > 0
    assert data["reports"]["unit_report_median_s"] > 0


def test_bench_sessions_out_lists_pages_for_each_role(scale_data, client):
    out = scale_data / "sessions.json"
    call_command("bench", sessions_out=str(out), per_role=2, stdout=open(scale_data / "bench.log", "w"))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["roles"]) == {"leader", "inspector", "director"}
    for role, accounts in data["roles"].items():
        assert accounts, role
        account = accounts[0]
        # The minted session is logged in: the role's first page answers 200 with its cookie.
        client.cookies[data["cookie_name"]] = account["session"]
        assert client.get(account["pages"][0]).status_code == 200, role
