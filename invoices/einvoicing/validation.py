"""Checks a UBL invoice or credit note as a Peppol access point will: the UBL 2.1 schema first, then
the CEN EN 16931 rules, then the Peppol BIS Billing 3.0 rules. The rule files are vendored in
``rules/``; its README says where they come from and how to replace them."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from saxonche import PySaxonProcessor, PyXsltExecutable

RULES_VERSION = "UBL 2.1 XSD; CEN EN 16931 and Peppol BIS Billing 3.0.16 schematron"

RULES_DIR = Path(__file__).resolve().parent / "rules"
ROOTS = {  # the root element of each document type, and the name of its schema
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "Invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "CreditNote",
}
STYLESHEETS = {"CEN": "CEN-EN16931-UBL.xsl", "PEPPOL": "PEPPOL-EN16931-UBL.xsl"}  # in the order they run
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
EXPANDED_NAMESPACE = re.compile(r"Q\{[^}]*\}")  # Q{urn:…}Invoice in a schematron location
CLARK_NAMESPACE = re.compile(r"\{(?:urn:|https?://)[^}]*\}")  # {urn:…}IssueDate in a schema error


@dataclass(frozen=True)
class Issue:
    rule_id: str  # "XSD" for schema errors, "XML" for unreadable input, else the schematron assert id
    flag: str  # "fatal" or "warning"
    location: str  # XPath of the offending node ("/" for the whole document), or "line N"
    text: str
    rule_set: str  # "XSD", "CEN" or "PEPPOL"

    @property
    def message(self) -> str:
        """The text without the "[BR-S-02]-" the CEN rules start it with: the id is shown beside it."""
        prefix = f"[{self.rule_id}]-"
        return self.text.removeprefix(prefix).strip() if self.text.startswith(prefix) else self.text


@dataclass(frozen=True)
class ValidationResult:
    issues: tuple[Issue, ...]
    rules_version: str

    @property
    def valid(self) -> bool:
        return not self.fatal

    @property
    def fatal(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.flag == "fatal")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(issue for issue in self.issues if issue.flag == "warning")


@dataclass(frozen=True)
class CompiledRules:
    # The executables belong to the processor that compiled them: it lives as long as they do.
    processor: PySaxonProcessor
    schemas: dict[str, etree.XMLSchema]  # by document type
    stylesheets: dict[str, PyXsltExecutable]  # by rule set


_compiled: CompiledRules | None = None
# Guards the first compile, and every use of the compiled rules: an lxml schema keeps the errors
# of its last run on itself, and whether saxonche may be called from two threads at once is unknown.
_lock = threading.Lock()


def warm_up() -> None:
    """Compile now (about half a second) instead of in the first validation. Call it in each worker
    process, after the fork: the compiled rules belong to the process that compiled them."""
    compiled_rules()


def compiled_rules() -> CompiledRules:
    """The schemas and stylesheets, compiled on first use, once per process."""
    global _compiled
    if _compiled is None:
        with _lock:
            if _compiled is None:
                _compiled = _compile()
    return _compiled


def _compile() -> CompiledRules:
    # Loaded here, not at import: its native runtime also takes over Ctrl-C in the process, which
    # only the processes that validate should pay for (and only they pay its load time).
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    # Only local files (our stylesheets) may be read: nothing over the network.
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    schemas = {
        kind: etree.XMLSchema(etree.parse(str(RULES_DIR / "xsd" / "maindoc" / f"UBL-{kind}-2.1.xsd"), _parser()))
        for kind in ROOTS.values()
    }
    stylesheets = {
        rule_set: processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(RULES_DIR / name))
        for rule_set, name in STYLESHEETS.items()
    }
    return CompiledRules(processor, schemas, stylesheets)


def validate(xml: bytes) -> ValidationResult:
    """Every finding of the schema, or when the schema passes, of both rule sets; never raises for
    a bad document: what cannot be read is one fatal "XML" issue."""
    parsed = _parse(xml)
    if isinstance(parsed, Issue):
        return ValidationResult((parsed,), RULES_VERSION)
    rules = compiled_rules()
    schema = rules.schemas[ROOTS[parsed.tag]]
    with _lock:
        schema_errors = [] if schema.validate(parsed) else list(schema.error_log)
        if schema_errors:  # the rules on a document of the wrong shape only add noise
            return ValidationResult(tuple(map(_schema_issue, schema_errors)), RULES_VERSION)
        # Saxon reads what lxml read, so both check the same document.
        document = rules.processor.parse_xml(xml_text=etree.tostring(parsed, encoding="unicode"))
        reports = {name: exe.transform_to_string(xdm_node=document) for name, exe in rules.stylesheets.items()}
    return ValidationResult(
        tuple(issue for rule_set, report in reports.items() for issue in _report_issues(rule_set, report)),
        RULES_VERSION,
    )


def _parser() -> etree.XMLParser:
    # A new parser each time: an lxml parser is not to be shared between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse(xml: bytes) -> etree._Element | Issue:
    try:
        root: etree._Element = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        return _refusal(f"Not well-formed XML: {exc.msg}", f"line {exc.lineno}")
    if root.getroottree().docinfo.doctype:
        # Entity declarations live there (XXE, billion laughs); UBL never needs one.
        return _refusal("A document type declaration (DOCTYPE) is not allowed.", "/")
    if root.tag not in ROOTS:
        return _refusal(f"The root element {root.tag} is not a UBL Invoice or CreditNote.", f"line {root.sourceline}")
    return root


def _refusal(text: str, location: str) -> Issue:
    return Issue("XML", "fatal", location, text, "XSD")  # the schema step refuses what it cannot read


def _schema_issue(error: etree._LogEntry) -> Issue:
    text = " ".join(CLARK_NAMESPACE.sub("", error.message).split())
    return Issue("XSD", "fatal", f"line {error.line}", text, "XSD")


def _report_issues(rule_set: str, report: str) -> list[Issue]:
    svrl = etree.fromstring(report.encode(), _parser())
    return [
        Issue(
            rule_id=finding.get("id") or "",
            flag=finding.get("flag") or "fatal",  # Schematron: an assert without a flag is an error
            location=EXPANDED_NAMESPACE.sub("", finding.get("location") or ""),
            text=_message(finding),
            rule_set=rule_set,
        )
        for finding in svrl.iter(f"{SVRL}failed-assert", f"{SVRL}successful-report")
    ]


def _message(finding: etree._Element) -> str:
    text = finding.find(f"{SVRL}text")
    return " ".join("".join(text.itertext()).split()) if text is not None else ""
