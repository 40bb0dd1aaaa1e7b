"""Findings the user ignored: kept per project in the review cache, never shown again in that
project's files (until Unignore All), and never shown by a review that began before.
"""

from __future__ import annotations

from collections.abc import Callable

from ..context import env_workspace_roots
from ..documents import Document
from ..features import Services
from ..privacy import file_path
from .answer import at_least
from .cache import ReviewCache
from .findings import Finding
from .projects import project_of
from .publishing import Publisher


class Ignores:
    """Ignoring a finding and showing the ignored ones again, in the files ``publisher`` shows;
    ``cache`` gives the review cache that keeps them, ``reshow`` shows a file's cached review
    again once its project's ignores are gone."""

    def __init__(
        self,
        services: Services,
        publisher: Publisher,
        cache: Callable[[], ReviewCache],
        reshow: Callable[[Document], None],
    ) -> None:
        self.services = services
        self.publisher = publisher
        self.cache = cache
        self.reshow = reshow

    def project(self, uri: str) -> str:
        """The project whose ignores apply to the file (or folder) ``uri`` (see ``projects``)."""
        path = file_path(uri)
        if path is None:  # an untitled buffer: among the others of its scheme
            return uri.split(":", 1)[0] + ":"
        return project_of(path, env_workspace_roots(self.services.workspace_folders))

    def ignored(self, uri: str) -> frozenset[str]:
        return self.cache().ignored(self.project(uri))

    def let_through(self, uri: str, findings: list[Finding]) -> list[Finding]:
        """The findings of ``uri`` the settings and ignores let through now: a review that began
        before the user ignored a finding or raised minSeverity published them all the same."""
        r = self.services.settings.review
        ignored = self.ignored(uri)
        return [
            f
            for f in findings
            if f.fingerprint not in ignored
            and f.confidence >= r.min_confidence
            and at_least(f.severity, r.min_severity)
        ]

    def unignore_all(self, uri: str | None = None) -> int:
        """Forget the findings ignored in the project of ``uri`` (a file, a notebook's cell or a
        folder; without one, the projects of the workspace's folders and open files) and show
        them again in its open files (from the cache: nothing is sent); how many there were."""
        if uri is not None:
            doc, _ = self.publisher.view(uri)
            projects = {self.project(doc.uri if doc is not None else uri)}
        else:
            projects = {self.project(u) for u in self.services.workspace_folders}
            projects |= {self.project(d.uri) for d in self.services.documents}
        count = sum(self.cache().unignore_all(project) for project in sorted(projects))
        for shown in list(self.publisher.files):
            doc = self.services.documents.get(shown)
            if doc is not None and self.project(shown) in projects:
                self.reshow(doc)
        return count

    def ignore(self, uri: str, finding_id: str) -> bool:
        doc, _ = self.publisher.view(uri)
        files = self.publisher.files
        state = files.get(doc.uri) if doc is not None else None
        finding = next((f for f in state.findings if f.id == finding_id), None) if state else None
        if doc is None or state is None or finding is None:
            return False
        project = self.project(doc.uri)
        self.cache().ignore(finding.fingerprint, finding.message, project=project)
        # Every occurrence of the same code and message goes, here and in the project's other
        # open files (another project's stay: it is not theirs the user judged).
        for other_uri, other in files.items():
            if self.project(other_uri) != project:
                continue
            kept = [f for f in other.findings if f.fingerprint != finding.fingerprint]
            if len(kept) != len(other.findings):
                other.findings = kept
                doc = self.services.documents.get(other_uri)
                if doc is not None:
                    self.publisher.publish(doc, other)
        return True
