#!/usr/bin/env bash
# The date-sensitive suites, unfrozen, under Debian's faketime at five days relative to today
# (tests/dates/ci_dates.py: 2 January and 24 December of next year, 15 September of next year,
# 31 December of this year, the next 29 February). The clock starts at 10:00 on each day and ticks.
# seed_demo itself is run at the same days in-process by tests/dates/ (time-machine), in the main run.
# Args are passed to pytest. Env: DATE_SUITES overrides the list of test files.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

command -v faketime >/dev/null 2>&1 || { echo "test_dates: faketime missing (apt-get install faketime; scripts/setup.sh does)" >&2; exit 1; }

# What the campaign calendar touches: campaigns and their dates, the stage machine and review rounds,
# deadlines, reminders and escalation, spot-check rounds and sampling, the year-end review, publicity
# and certificates, the dashboard's targets and forecast, the public evaluation's gate, and the demo's
# calendar. (The demo itself is built at the same five days by tests/dates/ in the main run.)
DEFAULT_SUITES=(
    tests/dates/test_calendar.py tests/dates/test_campaign_span.py
    tests/assessment/test_campaign_services.py tests/assessment/test_review_services.py
    tests/inspections/test_rectification.py tests/inspections/test_rounds.py tests/inspections/test_sampling.py
    tests/inspections/test_year_end.py tests/inspections/test_certification.py
    tests/dashboard/test_selectors.py tests/evaluation/test_gate.py
)
read -r -a suites <<< "${DATE_SUITES:-${DEFAULT_SUITES[*]}}"

mapfile -t days < <(.venv/bin/python tests/dates/ci_dates.py "$(date +%F)")
[ "${#days[@]}" -eq 5 ] || { echo "test_dates: expected five days, got: ${days[*]}" >&2; exit 1; }

failed=()
for day in "${days[@]}"; do
    printf '\n---- date-sensitive suites at %s (faketime) ----\n' "$day"
    # FAKETIME_DONT_FAKE_MONOTONIC: timeouts and durations keep real time; only the calendar moves.
    if ! FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$day 10:00:00" \
            scripts/test.sh -q -p no:cacheprovider "${suites[@]}" "$@"; then
        failed+=("$day")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "test_dates: FAILED at ${failed[*]}" >&2
    exit 1
fi
echo "test_dates: the date-sensitive suites passed at ${days[*]}"
