"""Helpers of ``tests/bench/bench_context_recall.py``: the corpus (fetch, files, definitions,
sites), the names a site needs (``needs``) and the analysis of the recorded prompts (``analyze``)."""
