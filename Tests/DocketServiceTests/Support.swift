import DocketCore
import DocketService
import DocketStore
import DocketTestSupport
import Foundation

/// A fresh SQLite event log in its own temporary directory (removed when the test process exits:
/// the services built on it keep it open).
func temporaryDatabase() -> String { TemporaryDirectory.path("docket.sqlite", prefix: "service") }

/// The repository's `Workflows/` folder.
let workflowsFolder = Repository.workflows.path

/// The issue-3 example, verbatim.
let permitCheck = """
workflow: permit-check
version: 1
title: Simple permit check
roles: [applicant, clerk, approver]
states:
  submitted: { initial: true }
  review:    { department: licensing }
  approved:  { final: true, outcome: approved }
  rejected:  { final: true, outcome: rejected }
transitions:
  - { event: accept,  from: submitted, to: review,   roles: [clerk] }
  - { event: approve, from: review,    to: approved, roles: [approver], requires: [site_photos] }
  - { event: reject,  from: review,    to: rejected, roles: [approver] }
"""

// `at(_:)` (an ISO 8601 literal as a Timestamp) is in ProjectionTestSupport.swift.

/// A case service over a fresh SQLite file with `texts` deployed.
func service(deploying texts: [String] = [permitCheck], path: String = temporaryDatabase(),
             clock: ManualWallClock = ManualWallClock(at("2020-02-10T09:00:00+08:00"))) throws -> CaseService {
    let store = try SQLiteEventStore(path: path)
    let catalog = WorkflowCatalog(store: store)
    _ = try Deployer(catalog: catalog).deploy(texts.enumerated().map { ArtifactFile(path: "file\($0.offset).yaml", text: $0.element) })
    return CaseService(catalog: catalog, clock: clock)
}

/// The authority's workflows and calendars, deployed from `Workflows/`.
func authorityService(path: String = temporaryDatabase(),
                      clock: ManualWallClock = ManualWallClock(at("2020-02-10T09:00:00+08:00"))) throws -> CaseService {
    let store = try SQLiteEventStore(path: path)
    let catalog = WorkflowCatalog(store: store)
    let files = try ArtifactFile.expand([workflowsFolder]).map { try ArtifactFile(path: $0) }
    _ = try Deployer(catalog: catalog).deploy(files)
    return CaseService(catalog: catalog, clock: clock)
}

/// A clock long after every business time a back-filling test gives: commands dated in 2020 are
/// in the past (a time more than ten minutes after the clock needs `allowFuture`).
func backFillingClock() -> ManualWallClock { ManualWallClock(at("2021-01-01T00:00:00Z")) }
