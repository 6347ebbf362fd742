"""Fetching feeds and pages over HTTP (stdlib ``urllib``), politely and within limits.

* Only http and https, for the first request and for every redirect (at most
  ``FetchOptions.max_redirects``): a feed cannot point the follower at ``file://`` or ``ftp://``.
  The opener is assembled from the HTTP handlers alone, so no other scheme handler exists.
* No private addresses unless the caller allows them: a host that resolves to a loopback,
  private, link-local or otherwise non-public address (``localhost``, ``10.0.0.5``, the cloud
  metadata address ``169.254.169.254``) is refused, for the first request and every redirect,
  so a public feed cannot steer the follower into the network it runs in. The follower allows
  them for a feed the user named and for the pages of a feed that is itself local
  (:func:`is_local_address`). The check resolves the name just before the request; a DNS answer
  that changes in between is not caught.
* A time limit per request: the socket timeout bounds connecting and each read, and the body is
  read in pieces against a deadline, so a server that trickles bytes is cut off too (after at
  most twice the timeout).
* A size limit: a declared ``Content-Length`` over it is refused before reading, and reading
  stops one byte past it. No ``Accept-Encoding`` is sent, so nothing arrives compressed and the
  limit is the real size (no decompression bombs).
* A clear User-Agent, ``newsqa/<version> (+feed follower)``, and a pause between two requests to
  the same host (:class:`HostPacer`).
* Conditional GET: the caller passes the ETag and Last-Modified it kept; a 304 answer comes back
  as ``Response.not_modified``. A feed given as a local file is "not modified" when its size and
  modification time are those it had.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import NewsqaError


def _version() -> str:
    try:
        return metadata.version("newsqa")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "0"


#: Sent with every request, so site owners can see who reads them and why.
USER_AGENT = f"newsqa/{_version()} (+feed follower)"

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(NewsqaError):
    """A feed or page could not be fetched; the message is the one-line reason."""


@dataclass(frozen=True)
class FetchOptions:
    """Limits and manners of the follower's requests.

    Attributes:
        timeout: seconds one request may take (connect, and each read; the whole body within
            twice this).
        max_bytes: largest feed or page read, in bytes.
        max_redirects: redirects followed per request.
        host_delay: seconds between the starts of two requests to the same host.
        user_agent: the User-Agent header.
    """

    timeout: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    host_delay: float = 1.0
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Response:
    """A fetched feed or page.

    Attributes:
        url: the final address, after redirects.
        body: the bytes (empty when not modified).
        not_modified: the server (or the file's signature) says nothing changed since the
            validators that were sent.
        content_type: the media type, lower case, without parameters ("" when not given).
        charset: the charset the Content-Type names ("" when none).
        etag: the ETag to send next time ("" when none).
        last_modified: the Last-Modified to send next time ("" when none).
    """

    url: str
    body: bytes = b""
    not_modified: bool = False
    content_type: str = ""
    charset: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def is_html(self) -> bool:
        """True when the server calls it HTML, or names no type and it starts like markup."""
        if self.content_type:
            return self.content_type in _HTML_TYPES
        return self.body.lstrip()[:1] == b"<"

    def text(self) -> str:
        """The body decoded by the charset the header (else a ``<meta>``) names, else UTF-8;
        undecodable bytes are replaced, since a page is read for its words."""
        declared = self.charset or _meta_charset(self.body)
        for encoding in (declared, "utf-8"):
            if encoding:
                try:
                    return self.body.decode(encoding, errors="replace")
                except LookupError:  # a charset name Python does not know
                    continue
        return self.body.decode("utf-8", errors="replace")


def _meta_charset(body: bytes) -> str:
    match = _CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else ""


class HostPacer:
    """Spaces requests to one host ``delay`` seconds apart, across threads.

    Each caller reserves the next free slot of its host and sleeps until it, so concurrent
    workers on different hosts never wait for each other.
    """

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        """Block until a request to ``url``'s host may start."""
        host = urlsplit(url).netloc.lower()
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + self.delay
        if start > now:
            time.sleep(start - now)


def is_local_address(address: str) -> bool:
    """Whether ``address`` is a local file path or an http(s) url whose host resolves to a
    non-public address (loopback, private, link-local, reserved); False when it cannot be
    resolved."""
    if not address.lower().startswith(("http://", "https://")):
        return not re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", address)
    try:
        return _private_host(address) is not None
    except OSError:
        return False


def _private_host(url: str) -> str | None:
    """The first non-public address ``url``'s host resolves to, or None.

    Raises:
        OSError: the host does not resolve.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not ip.is_global:
            return str(ip)
    return None


def _check_public(url: str) -> None:
    """Refuse ``url`` when its host is a non-public address (see the module docstring)."""
    try:
        found = _private_host(url)
    except OSError:
        return  # unresolvable: the request itself fails with a clear "cannot connect"
    if found is not None:
        host = urlsplit(url).hostname
        raise FetchError(
            f"refused: {host} is a private or local address ({found}); a feed's link may not "
            "point into the network newsqa runs in (follow a local feed directly to allow it)"
        )


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most ``max_redirections`` redirects, to http and https only, and to public
    addresses only unless the request allows private ones."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("http://", "https://")):
            raise urllib.error.HTTPError(
                req.full_url, code, f"redirect to a non-http address {newurl[:80]!r}", headers, fp
            )
        if not getattr(req, "newsqa_allow_private", False):
            try:
                _check_public(newurl)
            except FetchError as exc:
                raise urllib.error.HTTPError(req.full_url, code, str(exc), headers, fp) from None
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.newsqa_allow_private = getattr(req, "newsqa_allow_private", False)
        return new


class Fetcher:
    """Fetches http(s) addresses and local feed files within :class:`FetchOptions`.

    Args:
        options: limits and manners.
        pacer: shared per-host pacing (default: a new one with ``options.host_delay``).
    """

    def __init__(self, options: FetchOptions | None = None, pacer: HostPacer | None = None):
        self.options = options or FetchOptions()
        self.pacer = pacer or HostPacer(self.options.host_delay)
        redirects = _Redirects()
        # urllib counts distinct addresses and repeats of one apart: bound both.
        redirects.max_redirections = redirects.max_repeats = self.options.max_redirects
        self._opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(),
            urllib.request.HTTPDefaultErrorHandler(),
            urllib.request.HTTPErrorProcessor(),
            redirects,
        ):
            self._opener.add_handler(handler)

    def fetch(
        self,
        address: str,
        etag: str = "",
        last_modified: str = "",
        *,
        allow_private: bool = False,
    ) -> Response:
        """Fetch a feed or page: an http(s) url, or (feeds) a local file path.

        Args:
            address: the url or path.
            etag: the ETag kept from the last fetch ("" for none).
            last_modified: the Last-Modified kept from the last fetch ("" for none).
            allow_private: fetch from (and be redirected to) non-public addresses too.

        Returns:
            The response; ``not_modified`` when the validators still hold.

        Raises:
            FetchError: refused scheme or private address, HTTP error status, timeout, too big,
                unreachable.
        """
        if not address.lower().startswith(("http://", "https://")):
            if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", address):
                raise FetchError(f"only http and https addresses are followed, not {address!r}")
            return self._read_file(Path(address), etag)
        headers = {"User-Agent": self.options.user_agent, "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if not allow_private:
            _check_public(address)
        self.pacer.wait(address)
        request = urllib.request.Request(address, headers=headers)
        request.newsqa_allow_private = allow_private  # read by _Redirects on each hop
        deadline = time.monotonic() + self.options.timeout
        try:
            with self._opener.open(request, timeout=self.options.timeout) as reply:
                body = self._read_body(reply, deadline)
                return Response(
                    url=reply.geturl(),
                    body=body,
                    content_type=reply.headers.get_content_type()
                    if reply.headers.get("Content-Type")
                    else "",
                    charset=reply.headers.get_content_charset() or "",
                    etag=reply.headers.get("ETag", ""),
                    last_modified=reply.headers.get("Last-Modified", ""),
                )
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(url=address, not_modified=True, etag=etag)
            if 300 <= exc.code < 400:
                reason = exc.reason if isinstance(exc.reason, str) else str(exc)
                if reason.startswith("refused: "):
                    raise FetchError(f"redirect {reason}") from None
                raise FetchError(f"{exc.reason} (HTTP {exc.code})") from None
            raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise FetchError(f"timed out after {self.options.timeout:g} s") from None
            raise FetchError(f"cannot connect ({exc.reason})") from None
        except TimeoutError:
            raise FetchError(f"timed out after {self.options.timeout:g} s") from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise FetchError(f"bad response ({type(exc).__name__}: {exc})") from None

    def _read_body(self, reply, deadline: float) -> bytes:
        limit = self.options.max_bytes
        declared = reply.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(_too_big(int(declared), limit))
        pieces: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise FetchError(f"timed out after {self.options.timeout:g} s (body too slow)")
            piece = reply.read(min(65536, limit + 1 - size))
            if not piece:
                return b"".join(pieces)
            pieces.append(piece)
            size += len(piece)
            if size > limit:
                raise FetchError(_too_big(size, limit, more=True))

    def _read_file(self, path: Path, signature: str) -> Response:
        """A feed kept in a local file; its ``etag`` is its size and modification time."""
        try:
            st = path.stat()
            now = f"file:{st.st_size}:{st.st_mtime_ns}"
            if signature and signature == now:
                return Response(url=str(path), not_modified=True, etag=now)
            if st.st_size > self.options.max_bytes:
                raise FetchError(_too_big(st.st_size, self.options.max_bytes))
            return Response(url=str(path), body=path.read_bytes(), etag=now)
        except FileNotFoundError:
            raise FetchError(f"no such file {str(path)!r}") from None
        except OSError as exc:
            raise FetchError(f"cannot read {str(path)!r} ({exc.strerror or exc})") from None


def _too_big(size: int, limit: int, more: bool = False) -> str:
    """The reason for a body over ``limit`` bytes (``more``: reading stopped at ``size``)."""
    if more:
        return f"too big: more than the {limit / 1e6:g} MB limit"
    return f"too big: {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit"
