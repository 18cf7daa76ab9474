"""Hostile input (issue 4, part 2): property-based fuzzing of every form, query parameter, upload
and import, and stored injection checked in Chromium.

- crawl.py      finds the forms and parameterised links each role reaches (plugins' included)
- strategies.py hostile values and requests (Hypothesis)
- files.py      hostile attachments and member lists
- harness.py    sends them and judges every answer (5xx, logged errors, statuses, messages in
                Vietnamese, writes by GETs and refused posts, writes outside the role's scope)
- world.py      fills the demo site (library, example plugin, a file, a note, a reset request,
                an import waiting) before the crawl
- test_forms.py, test_uploads.py, test_stored_injection.py (browser)

Default (CI): a few hundred requests, reproducible (derandomize), about 30 s with -n 2:
    .venv/bin/python -m pytest -q -n 2 tests/fuzz
The long run (≥ 10,000 requests, random, every role in the browser; results in
tests/fuzz/results/latest.md):
    .venv/bin/python -m tests.fuzz --examples x5 --rounds 8
    DATABASE_URL=postgresql://127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m tests.fuzz --examples x5 --rounds 8
or by hand: FUZZ_EXAMPLES=x5 FUZZ_ROUNDS=8 FUZZ_STATS=/tmp/fuzz .venv/bin/python -m pytest -n 2 tests/fuzz
"""
