"""``postguard enroll URL --token T``: send this agent's events to IT's collector."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.security.secrets import SecretStore

ENROL_TIMEOUT_S: Final = 30.0


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "enroll",
        help="send override, feedback and acknowledgement events to IT's collector",
        description="Exchange IT's enrolment token for this device's own token and keep it in "
        "the OS keyring; store the collector URL in the user settings file. Any Splunk HTTP "
        "Event Collector (its token is then used as it is), or `postguard collector serve`.",
    )
    parser.add_argument("url", help="collector base URL, e.g. https://splunk.example.com:8088")
    parser.add_argument(
        "--token",
        required=True,
        help="the enrolment (or HEC) token; write one that starts with '-' as --token=T",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from agent.config import load_settings
    from agent.errors import UserError
    from agent.events.upload_device import EnrolmentRefused, EnrolmentUnavailable
    from agent.events.upload_enrolment import (
        DeviceCredential,
        check_collector_url,
        device_credential,
        enrol,
        save_collector_url,
        save_device_credential,
    )
    from agent.events.upload_wire import HEC_PATH
    from agent.httputil import check_header_token
    from agent.security.secrets import SecretStore

    url = check_collector_url(args.url)
    token = check_header_token(args.token)
    loaded = load_settings()
    settings, locations = loaded.settings, loaded.locations
    secrets = SecretStore(locations.config_dir)
    device_id = _device_id(settings, secrets)
    current = device_credential(secrets, url, device_id)
    try:
        issued = asyncio.run(
            _exchange(url, token, device_id, settings.user, current.token if current else None)
        )
    except EnrolmentRefused as exc:
        raise UserError(f"the collector refused to enrol this device: {exc}") from None
    except EnrolmentUnavailable as exc:
        where = enrol(locations, secrets, url, token)
        print(f"could not enrol now ({exc}); the agent will enrol when it reaches the collector")
    else:
        if issued is None:
            where = enrol(locations, secrets, url, token)
            print("this collector issues no device tokens (a Splunk HEC): the token is used as is")
        else:
            credential = DeviceCredential(collector_url=url, device_id=device_id, token=issued)
            where = save_device_credential(secrets, credential, forget_enrolment_token=True)
            save_collector_url(locations, url)
            print(f"enrolled device {device_id} for {settings.user}")
    print(f"enrolled: events go to {url}{HEC_PATH}")
    print(f"collector URL saved in {locations.user_file}; token saved in {where}")
    print("restart the agent (postguard serve) to start uploading")
    return 0


async def _exchange(
    url: str, token: str, device_id: str, user: str, current: str | None
) -> str | None:
    import aiohttp

    from agent.events.upload_device import request_device_token

    timeout = aiohttp.ClientTimeout(total=ENROL_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return await request_device_token(
            session, url, token, device_id=device_id, user=user, current_token=current
        )


def _device_id(settings: Settings, secrets: SecretStore) -> str:
    """This machine's device id: the one its audit log keeps (created with the log).

    Opened with the agent's own secret store, as the agent and ``postguard audit`` do.
    """
    from agent.events.audit import AUDIT_DB, AuditLog

    log = AuditLog(settings.data_dir / AUDIT_DB, user=settings.user, secrets=secrets)
    try:
        return log.device_id
    finally:
        log.close()
