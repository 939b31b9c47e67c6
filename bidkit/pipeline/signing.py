"""What a workspace signs with (a PKCS#12 file or a key on a PKCS#11 token), and what ``bidkit verify`` trusts
for a workspace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bidkit.core.errors import InputError
from bidkit.core.models.workspace import Pkcs11Config, SigningConfig
from bidkit.store.workspace import Workspace
from bidkit.store.workspace import load as load_ws

if TYPE_CHECKING:
    from bidkit.adapters.pdf.sign import Signer

# bidkit.adapters.pdf.sign.ENV and bidkit.adapters.pdf.token.PIN_ENV, without importing pyHanko (0.4 s)
SIGN_PASSWORD_ENV = "BIDKIT_SIGN_PASSWORD"
TOKEN_PIN_ENV = "BIDKIT_TOKEN_PIN"
Prompter = Callable[[str], str]


def secret_env(signing: SigningConfig | None) -> str | None:
    """The environment variable the configured signer takes its secret from (None: nothing signs)."""
    if signing is None:
        return None
    return TOKEN_PIN_ENV if signing.pkcs11 is not None else SIGN_PASSWORD_ENV


def workspace_signer(ws: Workspace, *, prompter: Prompter | None = None) -> Signer | None:
    """The signer configured in bidkit.yaml (``signing.certificate`` or ``signing.pkcs11``), or None when there
    is none. The caller closes it (a token keeps its session open until then)."""
    signing = ws.data.config.signing
    if signing is None:
        return None
    if signing.pkcs11 is not None:
        return _token_signer(ws, signing.pkcs11, prompter)
    assert signing.certificate is not None  # the model holds exactly one of the two
    from bidkit.adapters.pdf.sign import load_signer  # pyHanko loads in the thread that needs it

    return load_signer(ws.path(signing.certificate, what="signing certificate"),
                       f"bidkit.yaml signing.certificate {signing.certificate}", prompter=prompter)


def _token_signer(ws: Workspace, config: Pkcs11Config, prompter: Prompter | None) -> Signer:
    display = "bidkit.yaml signing.pkcs11"
    try:
        inside = Path(config.module).resolve().is_relative_to(ws.root.resolve())
    except OSError:
        inside = False
    if inside:  # whoever can write the workspace would choose the native code bidkit loads
        raise InputError(f"{display}.module {config.module}: a PKCS#11 module inside the workspace is refused; "
                         "give the one the CA's token driver installed on this machine")
    from bidkit.adapters.pdf.token import load_token_signer
    from bidkit.adapters.pdf.verify import load_trusted

    chain_display = f"bidkit.yaml signing.pkcs11.chain {config.chain}"
    chain = load_trusted(ws.path(config.chain, what="certificate chain"), chain_display) if config.chain else []
    return load_token_signer(config.module, config.token, config.key, chain=chain, display=display,
                             chain_display=chain_display, prompter=prompter)


@dataclass(frozen=True)
class Trust:
    """The certificates ``bidkit verify`` trusts: ``ca`` means they are CA roots the signer's chain must reach."""

    path: Path
    display: str
    ca: bool = False


def workspace_trust(package: Path, workspace: Path | None = None) -> Trust | None:
    """What a workspace trusts: the ``.crt`` beside its ``signing.certificate``, or for a token the
    ``signing.pkcs11.chain`` file's certificates as CA roots.

    ``workspace`` defaults to the folder holding the package's ``build/`` folder (``WS/build/x.pdf``).
    """
    if workspace is None:
        parent = package.resolve().parent
        if parent.name != "build" or not (parent.parent / "bidkit.yaml").is_file():
            return None
        workspace = parent.parent
    ws = load_ws(workspace, check_files=False)
    signing = ws.data.config.signing
    if signing is None:
        raise InputError(f"{workspace / 'bidkit.yaml'}: no signing.certificate; give the certificate with --trust")
    if signing.pkcs11 is not None:
        if signing.pkcs11.chain is None:
            raise InputError(f"{workspace / 'bidkit.yaml'}: signs with a token and names no signing.pkcs11.chain; "
                             "give the CA's root certificate with --ca ROOT.pem")
        rel = signing.pkcs11.chain
        return Trust(ws.path(rel, what="certificate chain"), f"{workspace.name}/{rel}", ca=True)
    assert signing.certificate is not None
    rel = str(Path(signing.certificate).with_suffix(".crt"))
    return Trust(ws.path(rel, what="trusted certificate"), f"{workspace.name}/{rel}")


def approval_line(manifest: dict[str, Any]) -> str | None:
    """The manifest's QA approval in one line (DEMO said first), or None for a package without one."""
    a = manifest.get("approval")
    if not isinstance(a, dict):
        return None
    t = a.get("trust") if isinstance(a.get("trust"), dict) else {}
    demo = "DEMO approval (the bundled sample's trust, its project only) — " if a.get("demo") else ""
    via = f", vouched for by {t.get('issuer')} v{t.get('version')} (admin key {t.get('admin')})" if t else ""
    return f"{demo}approved by {a.get('reviewer')} at {a.get('time')}{via}"


def check_approval(manifest: dict[str, Any], company_trust: Path) -> list[str]:
    """Problems with the manifest's QA approval against trust the verifier holds (``--reviewers FILE``): the
    statement must be signed by a key that file lists for the package's project, under the reviewer's name, and
    its digest must be the one the manifest names. [] when it holds."""
    from bidkit.core import review
    from bidkit.core.trust import vouching
    from bidkit.store import keys, trust

    tf = trust.read(company_trust)
    a = manifest.get("approval")
    if not isinstance(a, dict):
        return ["approval: the package carries no QA approval (a draft, or sealed without one)"]
    st = review.parse_statement(a.get("statement"))
    if isinstance(st, str):
        return [f"approval: no signed QA statement in the manifest ({st})"]
    problems = []
    if not keys.verify(st.public_key, st.payload(), st.signature):
        problems.append("approval: the QA statement's signature does not match its content")
    if st.decision != "approved" or st.reviewer != a.get("reviewer") or review.combined(st.digests) != a.get("digest"):
        problems.append("approval: the manifest's approval fields differ from the signed statement")
    project = manifest.get("project")
    if st.project != project:
        problems.append(f"approval: signed for project {st.project}, the package is {project}")
    found = vouching([tf], str(project), st.public_key)
    if found is None:
        problems.append(f"approval: signed by a key {company_trust} does not trust for project {project} "
                        f"(reviewer '{st.reviewer}', key {st.public_key})")
    elif found[0] != st.reviewer:
        problems.append(f"approval: names '{st.reviewer}' but the key is {found[0]}'s in {company_trust}")
    return problems
