"""Benchmark settings: the production settings plus the plain view of bench/urls.py."""

from makesafe.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
