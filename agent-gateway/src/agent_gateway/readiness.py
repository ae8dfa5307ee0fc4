"""The gateway is ready only while the services it calls are: each one's own /readyz answers."""

import aiohttp


async def service_ready(http: aiohttp.ClientSession, url: str, timeout_seconds: float) -> None:
    """Raise unless `url` (a service's /readyz) answers 2xx within `timeout_seconds`."""
    timeout = aiohttp.ClientTimeout(total=timeout_seconds)
    async with http.get(url, timeout=timeout) as response:
        response.raise_for_status()
