"""Typer application. Commands stay thin: parse options, call the library, print results.

:func:`main` is the one place that maps :class:`~bidkit.core.errors.BidkitError` to a message and an exit code;
tracebacks are shown only with ``--verbose``, and never with exception messages of unknown errors (they could
carry confidential values).
"""

from __future__ import annotations

import signal
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from bidkit import __version__
from bidkit.cli import RECEIVED, Terminated, common
from bidkit.cli import award as award_cli
from bidkit.cli import check as check_cli
from bidkit.cli import cost as cost_cli
from bidkit.cli import keys as keys_cli
from bidkit.cli import keys_cert as keys_cert_cli
from bidkit.cli import keys_tokens as keys_tokens_cli
from bidkit.cli import lifecycle as lifecycle_cli
from bidkit.cli import log as log_cli
from bidkit.cli import package as package_cli
from bidkit.cli import price as price_cli
from bidkit.cli import review as review_cli
from bidkit.cli import tender as tender_cli
from bidkit.cli import trust as trust_cli
from bidkit.cli import verify as verify_cli
from bidkit.cli.common import err, out
from bidkit.core.errors import BidkitError, SecretError

app = typer.Typer(
    name="bidkit",
    help="Bid documents and sealed PDF bid packages from a project's data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
templates_app = typer.Typer(help="Inspect the Word templates a workspace uses.", no_args_is_help=True)
app.add_typer(templates_app, name="templates")

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks of internal errors.")] = False,
) -> None:
    common.STATE.verbose = verbose


@app.command()
def version() -> None:
    """Print bidkit's version."""
    out(f"bidkit {__version__}")


@app.command()
def init(
    directory: Dir,
    sample: Annotated[str, typer.Option(help="Bundled sample to copy.")] = "city-surveillance",
) -> None:
    """Create a new workspace in DIRECTORY from a bundled sample."""
    from bidkit.store.resources import sample_workspace
    from bidkit.store.workspace import init as init_ws

    init_ws(directory, sample_workspace(sample))
    out(f"created workspace {directory} (from sample {sample})")
    from bidkit.store import trust

    tf, what = trust.install_demo()  # the sample's QA approval is DEMO: trusted for its project code only
    if what != "unchanged":
        out(f"DEMO trust {what}: {tf.label()}")
    out("a demo workspace: its seals, certificate, reviewer key and scans are DEMO material for the sample's project "
        "only; start a real bid with `bidkit new DIR`")


@app.command()
def new(directory: Dir) -> None:
    """Create a blank workspace in DIRECTORY: every file to fill in, commented in Chinese and English."""
    from bidkit.store import audit
    from bidkit.store.resources import blank_workspace
    from bidkit.store.workspace import new as new_ws

    def record(root: Path) -> None:
        audit.append(root, "new", {"bidkit": __version__})

    new_ws(directory, blank_workspace(), record)
    out(f"created workspace {directory}: fill in its YAML files (each field is explained in Chinese and English)")
    out(f"next: bidkit validate {directory}   (lists every field still empty, the seals and certificate to add)")


@app.command()
def validate(directory: Dir) -> None:
    """Load every file of the workspace and report every problem at once."""
    ws = common.load(directory)
    d = ws.data
    stars = sum(1 for r in d.tender.requirements if r.mandatory)
    out(
        f"ok: {directory}: {len(d.solution.bom)} BOM lines, {len(d.tender.requirements)} requirements "
        f"({stars} ★), {len(d.company.qualifications)} qualifications"
    )


@app.command()
def render(
    directory: Dir,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Render only this document (repeatable).")
    ] = None,
) -> None:
    """Render the workspace's Word documents into DIR/build/docx/ (price chapters: shown, never written)."""
    from bidkit.pipeline.documents import render as render_docs
    from bidkit.pipeline.documents import view_prices, with_prices_for_render

    ws, note = with_prices_for_render(common.load(directory), only)
    if note:
        out(note)
    rest = view_prices(ws, only, out) if only else None
    if rest == []:
        return
    total = 0.0
    for r in render_docs(ws, rest):
        total += r.seconds
        out(f"{r.path}  {r.title}  {r.seconds:.2f}s")
    out(f"rendered into {ws.build_dir / 'docx'} in {total:.2f}s")


@templates_app.command("check")
def templates_check(directory: Dir) -> None:
    """Render every template the workspace uses (price chapters with placeholder prices) and list every name
    that its data does not provide, with the nearest valid name."""
    from bidkit.pipeline.templates import check_all

    reports = check_all(common.load(directory))
    names, said = 0, set()
    for rep in reports:
        if rep.ok:
            out(f"ok: {rep.display} ({rep.name}" + (", placeholder prices)" if rep.priced else ")"))
        lines = [rep.error if rep.error.startswith(rep.display) else f"{rep.display}: {rep.error}"] if rep.error \
            else [f"{rep.display}: {u}" for u in rep.undefined]
        for line in lines:
            if line not in said:  # one template may serve several chapters (a volume's title pages)
                err(line)
                said.add(line)
        names += len(rep.undefined)
    bad = sum(1 for rep in reports if not rep.ok)
    out(f"checked {len(reports)} templates (price chapters with placeholder prices: no approval needed, no price "
        f"shown): {names} undefined name(s), {bad} template(s) with problems")
    if bad:
        raise typer.Exit(3)


@templates_app.command("vars")
def templates_vars(
    name: Annotated[str | None, typer.Argument(help="A bid form or document, e.g. bid_letter.",
                                               show_default=False)] = None,
) -> None:
    """Print every variable a template can use: dotted path, type, description (all templates without NAME)."""
    from bidkit.core.errors import InputError
    from bidkit.pipeline import templates

    if name is not None:
        try:
            variables = templates.variables_of(name)
        except KeyError:
            raise InputError(f"{name}: unknown template (one of {', '.join(templates.template_names())})") from None
        for line in templates.listing(variables):
            out(line)
        return
    for group in templates.groups():
        out(f"## {group.title}")
        for line in templates.listing(list(group.variables)):
            out("  " + line)


app.add_typer(review_cli.app, name="review")
app.add_typer(price_cli.app, name="price")
keys_cli.app.command("cert")(keys_cert_cli.cert)
keys_cli.app.command("tokens")(keys_tokens_cli.tokens)
app.add_typer(keys_cli.app, name="keys")
app.add_typer(trust_cli.app, name="trust")
app.command("log")(log_cli.log)  # one command: `log DIR` and `log verify DIR` (a group would eat DIR)
app.command("assemble")(package_cli.assemble)
app.command("verify")(verify_cli.verify)
app.command("status")(lifecycle_cli.status)
app.command("cost")(cost_cli.cost)
app.command("award")(award_cli.award)
app.add_typer(lifecycle_cli.report_app, name="report")
app.command("acceptance")(lifecycle_cli.acceptance)
app.add_typer(lifecycle_cli.request_app, name="request")
app.command("check")(check_cli.check)
app.add_typer(tender_cli.app, name="tender")


SECRET_OPTIONS = ("--passphrase", "--password", "--price-passphrase", "--sign-password")
PIN_OPTIONS = ("--pin", "--token-pin", "--user-pin")


def _refuse_secret_options(args: list[str]) -> None:
    """A secret typed as an option stays in the shell history and the process list: refuse it with advice
    (typer would only say "No such option"). The value itself is never repeated."""
    for arg in args:
        if arg == "--":
            return
        name = arg.split("=", 1)[0]
        if name in PIN_OPTIONS:
            raise SecretError(f"{name}: a PIN is never given on the command line (shell history, process list); "
                              "set BIDKIT_TOKEN_PIN, or type it at the prompt")
        if name in SECRET_OPTIONS:
            raise SecretError(f"{name}: secrets are never given on the command line (shell history, process "
                              "list); set BIDKIT_PRICE_PASSPHRASE or BIDKIT_SIGN_PASSWORD, or type it at the prompt")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    common.STATE.verbose = False
    RECEIVED.clear()
    try:
        _refuse_secret_options(sys.argv[1:] if argv is None else argv)
        rv = app(args=argv, prog_name="bidkit", standalone_mode=False)
    except BidkitError as exc:
        lines = exc.lines()
        if len(lines) > 1 or lines != [exc.message]:
            for line in lines:
                err(line)
            err(f"error: {exc.message}")
        else:
            err(f"error: {exc.message}")
        return exc.exit_code
    except typer.Exit as exc:
        return _terminated() if exc.exit_code == 130 and RECEIVED else exc.exit_code
    except typer.Abort:
        if RECEIVED:
            return _terminated()
        err("error: aborted")
        return 130
    except typer.TyperException as exc:  # usage errors: typer prints them as click would
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err(f"error: {exc}")
        return int(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt as exc:
        if isinstance(exc, Terminated):
            err(f"error: terminated ({exc.args[0]})")
            return 128 + exc.signum
        err("error: interrupted")
        return 130
    except Exception as exc:  # a bug: never print its message (it could hold a price); type and place only
        if common.STATE.verbose:
            tb = traceback.extract_tb(exc.__traceback__)
            for frame in traceback.format_list(tb):
                sys.stderr.write(frame)
        err(f"error: internal error ({type(exc).__name__}); please report it (rerun with --verbose for details)")
        return 70
    if rv == 130:  # typer turns Ctrl-C inside a command into a silently returned 130 (no command returns it)
        if RECEIVED:  # ... and SIGTERM or SIGHUP too: their own code and name
            return _terminated()
        err("error: interrupted")
    return rv if isinstance(rv, int) else 0


def _terminated() -> int:
    signum = RECEIVED[0]
    err(f"error: terminated ({signal.Signals(signum).name})")
    return 128 + signum
