"""``postguard enroll URL --token T``: send this agent's events to IT's collector."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "enroll",
        help="send override, feedback and acknowledgement events to IT's collector",
        description="Store the collector URL in the user settings file and its token in the "
        "OS keyring. Any Splunk HTTP Event Collector, or `postguard collector serve`, works.",
    )
    parser.add_argument("url", help="collector base URL, e.g. https://splunk.example.com:8088")
    parser.add_argument(
        "--token",
        required=True,
        help="the collector (HEC) token; write one that starts with '-' as --token=T",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.config import default_locations
    from agent.events.upload_enrolment import enrol
    from agent.events.upload_wire import HEC_PATH
    from agent.security.secrets import SecretStore

    locations = default_locations()
    where = enrol(locations, SecretStore(locations.config_dir), args.url, args.token)
    print(f"enrolled: events go to {args.url.rstrip('/')}{HEC_PATH}")
    print(f"collector URL saved in {locations.user_file}; token saved in {where}")
    print("restart the agent (postguard serve) to start uploading")
    return 0
