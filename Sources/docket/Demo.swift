import ArgumentParser
import DocketAnalytics
import DocketCore
import DocketService
import DocketStore
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the demo: a fresh event log, the authority's four flows, a few hundred cases, the report.",
        discussion: """
            Deploys Workflows/ into a fresh database, drives three showcase cases command by command (the \
            Qingdao remote expert review of February 2020, a tolerant acceptance whose commitment lapses, a \
            joint on-site verification by three departments, with a refused self-approval), simulates a month of cases through the real \
            engine and store, verifies the hash chain and prints the report; last, deploys the authority's \
            directory of people and roles and shows who may act: a role not held, and a refused self-approval.
            """)

    @Option(help: ArgumentHelp("The demo's own database; replaced on every run.", valueName: "path"))
    var db: String = "docket-demo.sqlite"

    @Option(help: ArgumentHelp("A folder of workflow definitions and calendars to deploy (default: the ones shipped inside docket).", valueName: "dir"))
    var workflows: String?

    @Option(help: ArgumentHelp("The directory of people and roles deployed last (default: Directories/shandong.yaml beside --workflows, else the one shipped inside docket).", valueName: "file"))
    var directory: String?

    @Option(help: "How many cases to simulate.")
    var cases: Int = 400

    @Option(help: "Random seed of the simulation.")
    var seed: UInt64 = 2020

    func run() throws {
        let started = Date()
        if let workflows, !FileManager.default.fileExists(atPath: workflows) {
            throw UsageFailure("no workflow folder at \(workflows): pass another --workflows, or none for the shipped workflows")
        }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
            try FileManager.default.removeItem(atPath: db + suffix)
        }
        var options = StoreOptions()
        options.db = db
        let session = try Session(options)

        section("1. Deploy the authority's workflows and calendars (\(workflows.map { $0 + "/" } ?? "shipped inside docket"))")
        let files = try workflows.map { try ArtifactFile.expand([$0]).map { try ArtifactFile(path: $0) } } ?? ShippedFiles.artifacts(at: "Workflows")
        for outcome in try Deployer(catalog: session.catalog).deploy(files) {
            print("  \(outcome.artifact.file.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(outcome.artifact.summary)")
        }

        section("2. The Qingdao remote expert review, February 2020, command by command")
        try qingdao(session)

        section("3. Tolerant acceptance: the clock stops while the applicant owes materials")
        try tolerantAcceptance(session)

        section("4. Joint on-site verification: health, environment and fire in parallel")
        try jointVerification(session)

        section("4b. A food licence change: declared case data, a route on it, a clock started by either acceptance, Chinese titles")
        try foodLicenceChange(session)

        section("5. A month of cases: \(cases) simulated through the real engine and store")
        let ids = ["remote-video-inspection", "tolerant-acceptance", "joint-verification", "expert-review"]
        var plan = SimulationPlan(workflows: ids, cases: cases, seed: seed)
        plan.principal = Operator.principal
        let simulationStart = Date()
        let summary = try PopulationSimulator(catalog: session.catalog).run(plan)
        let simulationSeconds = Date().timeIntervalSince(simulationStart)
        print("  \(summary.cases) cases, \(summary.events) events appended in \(String(format: "%.2f", simulationSeconds)) s")

        section("6. Integrity")
        let verification = try session.store.verify()
        print("  " + verification.summary)

        section("7. Report: replayed from the log (time to approval and decision; where cases wait)")
        let calendars = try ProjectionCalendars.deployed(in: session.store)
        let projections = SQLiteProjectionStore(log: try session.sqlite(for: "docket demo"))
        let updater = ProjectionUpdater(projections, calendars: calendars)
        let replayStart = Date()
        let replay = try updater.rebuild()
        print("  projections rebuilt from \(replay.events) events in \(String(format: "%.2f", Date().timeIntervalSince(replayStart))) s\n")
        // Open cases' ages are measured at the end of the simulated month, not today.
        let scope = ReportScope(measure: .working, asOf: plan.horizonOrDefault)
        let report = try ProjectionReporter(projections, calendars: calendars).report(scope)
        print(ReportRendering.table(report, by: .department, calendars: calendars))
        print("\nthe full report (dwell, transitions, rework, breaches, clock stops, open cases): docket report --db \(db)")

        // Last, so that the showcase cases and the simulation above (whose made-up staff are no
        // people of the directory) run as before; from here on every command is authorized.
        let directoryFile = directory ?? workflows.map {
            URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("Directories/shandong.yaml").path
        }
        section("8. Who may act: the Shandong directory (\(directory ?? (workflows == nil ? "shipped inside docket" : "Directories/shandong.yaml")))")
        if let directoryFile, !FileManager.default.fileExists(atPath: directoryFile) {
            print("  no directory at \(directoryFile): skipped (pass --directory)")
        } else {
            try whoMayAct(session, try directoryFile.map { try ArtifactFile(path: $0) } ?? ShippedFiles.artifacts(at: "Directories/shandong.yaml")[0])
        }

        print("\ndemo finished in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; the event log is \(db)")
        print("try: docket history --db \(db) QD-2020-0209    docket cases --db \(db) --overdue --now 2020-03-09T00:00:00+08:00")
    }

    private func section(_ title: String) {
        print("\n== \(title)")
    }

    private func at(_ text: String) -> Timestamp { Timestamp.parse(iso8601: text)! }

    private func step(_ outcome: CommandOutcome, _ session: Session) throws {
        let time = TimeText(calendar: try session.catalog.workingCalendar(for: outcome.definition))
        for r in outcome.recorded {
            let e = r.event
            let who = e.actor + (e.role.map { " (\($0))" } ?? "") + (e.onBehalfOf.map { " for \($0)" } ?? "")
            print("  \(time(e.occurredAt))  \(who.padding(toLength: 44, withPad: " ", startingAt: 0)) \(describe(e))")
        }
    }

    private func qingdao(_ session: Session) throws {
        let c = session.cases
        let id = "QD-2020-0209"
        try step(c.open(workflowID: "expert-review", caseID: id, actor: "applicant-qd", role: "applicant", data: ["channel": "online"], at: at("2020-02-09T18:40:00+08:00")), session)
        try step(c.fire(caseID: id, event: "accept", actor: "clerk-wang", role: "clerk", documents: ["application_form", "technical_dossier"], at: at("2020-02-09T19:00:00+08:00")), session)
        try step(c.fire(caseID: id, event: "convene_panel", actor: "clerk-wang", role: "clerk", at: at("2020-02-10T09:30:00+08:00")), session)
        try step(c.vote(caseID: id, ballot: .approve, actor: "expert-li", role: "expert", at: at("2020-02-10T15:00:00+08:00")), session)
        try step(c.vote(caseID: id, ballot: .approve, actor: "expert-zhao", role: "expert", at: at("2020-02-10T16:20:00+08:00")), session)
        try step(c.vote(caseID: id, ballot: .reject, actor: "expert-sun", role: "expert", reason: "noise assessment thin", at: at("2020-02-11T10:05:00+08:00")), session)
        try step(c.vote(caseID: id, ballot: .approve, actor: "secretary-zhou", role: "secretary", onBehalfOf: "expert-qian", at: at("2020-02-11T11:40:00+08:00")), session)
        let done = try c.fire(caseID: id, event: "issue_certificate", actor: "approver-chen", role: "approver", documents: ["expert_opinion"], at: at("2020-02-12T09:00:00+08:00"))
        try step(done, session)
        let calendar = try session.catalog.workingCalendar(for: done.definition)
        let accepted = at("2020-02-09T19:00:00+08:00")
        let issued = at("2020-02-12T09:00:00+08:00")
        let wall = Double(accepted.microseconds(to: issued)) / 3_600_000_000
        let working = Double(calendar.workingMicroseconds(from: accepted, to: issued)) / Double(calendar.workingDayMicroseconds)
        print("  accepted Sunday 19:00, certificate Wednesday 09:00: \(Int(wall)) wall-clock hours, \(String(format: "%g", working)) working days on \(calendar is BusinessCalendar ? (calendar as! BusinessCalendar).description : "its calendar")")
    }

    private func tolerantAcceptance(_ session: Session) throws {
        let c = session.cases
        let kept = "TA-2020-0001"
        try step(c.open(workflowID: "tolerant-acceptance", caseID: kept, actor: "clerk-liu", role: "clerk", onBehalfOf: "applicant-ta1", data: ["channel": "assisted"], at: at("2020-02-17T09:10:00+08:00")), session)
        try step(c.fire(caseID: kept, event: "accept_on_commitment", actor: "clerk-liu", role: "clerk", documents: ["application_form", "main_materials", "commitment_letter"], at: at("2020-02-17T09:40:00+08:00")), session)
        try step(c.fire(caseID: kept, event: "supply_materials", actor: "clerk-liu", role: "clerk", onBehalfOf: "applicant-ta1", documents: ["missing_materials"], at: at("2020-02-19T15:00:00+08:00")), session)
        let lapsed = "TA-2020-0002"
        try step(c.open(workflowID: "tolerant-acceptance", caseID: lapsed, actor: "applicant-ta2", role: "applicant", data: ["channel": "online"], at: at("2020-02-17T10:00:00+08:00")), session)
        try step(c.fire(caseID: lapsed, event: "accept_on_commitment", actor: "clerk-liu", role: "clerk", documents: ["application_form", "main_materials", "commitment_letter"], at: at("2020-02-17T10:30:00+08:00")), session)
        print("  -- tick at 2020-02-25 09:00: the 5-working-day commitment of \(lapsed) has run out")
        try step(c.tick(caseID: lapsed, now: at("2020-02-25T09:00:00+08:00")), session)
        let again = try c.tick(caseID: lapsed, now: at("2020-02-25T09:00:00+08:00"))
        print("  -- a second tick records \(again.recorded.count) event(s): each breach is recorded once")
    }

    private func jointVerification(_ session: Session) throws {
        let c = session.cases
        let id = "JV-2020-0001"
        try step(c.open(workflowID: "joint-verification", caseID: id, actor: "applicant-jv1", role: "applicant", data: ["channel": "online"], at: at("2020-02-18T08:15:00+08:00")), session)
        try step(c.fire(caseID: id, event: "accept", actor: "clerk-wang", role: "clerk", documents: ["application_form", "site_plan"], at: at("2020-02-18T09:20:00+08:00")), session)
        try step(c.fire(caseID: id, event: "pass", actor: "inspector-he", role: "health_inspector", documents: ["health_report"], branch: "health", at: at("2020-02-18T14:00:00+08:00")), session)
        try step(c.fire(caseID: id, event: "pass", actor: "inspector-huang", role: "environment_inspector", documents: ["environment_report"], branch: "environment", at: at("2020-02-19T11:00:00+08:00")), session)
        print("  -- tick at 2020-02-21 09:00: fire has not inspected within 2 working days")
        try step(c.tick(caseID: id, now: at("2020-02-21T09:00:00+08:00")), session)
        try step(c.fire(caseID: id, event: "pass", actor: "inspector-feng", role: "fire_inspector", documents: ["fire_report"], branch: "fire", at: at("2020-02-21T10:30:00+08:00")), session)
        // Separation of duties: clerk-wang, who accepted the case, also holds the approver role, but
        // may not approve what they accepted; the engine refuses from the case's history.
        print("  -- clerk-wang, who accepted \(id), tries to approve it as approver:")
        do {
            try step(c.fire(caseID: id, event: "approve", actor: "clerk-wang", role: "approver", at: at("2020-02-21T14:30:00+08:00")), session)
        } catch let refusal as Refusal {
            print("  refused (\(refusal.code.rawValue)): \(refusal.message)")
        }
        try step(c.fire(caseID: id, event: "approve", actor: "approver-chen", role: "approver", at: at("2020-02-21T15:00:00+08:00")), session)
    }

    /// Declared data checked on every command, `assess` routed on the risk, the statutory clock
    /// started by tolerant acceptance too, and the titles `show` prints beside the ids.
    private func foodLicenceChange(_ session: Session) throws {
        let c = session.cases
        let high = "FL-2020-0302"
        try step(c.open(workflowID: "food-licence-change", caseID: high, actor: "applicant-fl1", role: "applicant",
                        data: ["centre": "rizhao", "change": "category", "channel": "online"], at: at("2020-03-02T09:00:00+08:00")), session)
        let accepted = try c.fire(caseID: high, event: "accept_on_commitment", actor: "clerk-liu", role: "clerk",
                                  documents: ["application_form", "commitment_letter"], at: at("2020-03-02T09:30:00+08:00"))
        try step(accepted, session)
        let supplied = try c.fire(caseID: high, event: "supply_materials", actor: "applicant-fl1", role: "applicant", documents: ["missing_materials"],
                                  at: at("2020-03-03T10:00:00+08:00"))
        try step(supplied, session)
        let context = try session.catalog.context(for: supplied.definition)
        let statutory = CaseView(state: supplied.state, definition: supplied.definition, context: context, now: at("2020-03-03T10:00:00+08:00"))
            .deadlines.first { $0.kind == "statutory" }
        print("  -- the statutory clock started on accept_on_commitment (starts_on: [accept, accept_on_commitment]) and stood still while materials were owed: "
              + (statutory.map { "\($0.limit), due \($0.dueAt ?? "?")" } ?? "not started"))
        for (what, data) in [("assess without the risk", [String: String]()), ("assess with a misspelt value", ["risk": "hihg"]),
                             ("assess with a misspelt field", ["rsk": "high"])] {
            print("  -- \(what):")
            do {
                try step(c.fire(caseID: high, event: "assess", actor: "assessor-sun", role: "assessor", data: data, at: at("2020-03-04T11:00:00+08:00")), session)
            } catch let refusal as Refusal {
                print("  refused (\(refusal.code.rawValue)): \(refusal.message)")
            }
        }
        let routed = try c.fire(caseID: high, event: "assess", actor: "assessor-sun", role: "assessor", data: ["risk": "high"], at: at("2020-03-04T11:00:00+08:00"))
        try step(routed, session)
        let low = "FL-2020-0303"
        try step(c.open(workflowID: "food-licence-change", caseID: low, actor: "applicant-fl2", role: "applicant",
                        data: ["centre": "rizhao", "change": "name", "channel": "window"], at: at("2020-03-02T10:00:00+08:00")), session)
        try step(c.fire(caseID: low, event: "accept", actor: "clerk-liu", role: "clerk", documents: ["application_form"], at: at("2020-03-02T10:20:00+08:00")), session)
        let direct = try c.fire(caseID: low, event: "assess", actor: "assessor-sun", role: "assessor", data: ["risk": "low"], at: at("2020-03-03T15:00:00+08:00"))
        try step(direct, session)
        for outcome in [routed, direct] {
            let d = outcome.definition
            print("  \(outcome.caseID): risk \(outcome.state.data["risk"] ?? "?") → \(outcome.state.current.state) \(d.stateTitle(outcome.state.current.state) ?? "")"
                  + " (\(d.title ?? d.id)); next: " + outcome.state.availableActions(in: d).map { d.labelled(event: $0.event) }.joined(separator: ", "))
        }
    }

    /// Deploys the directory, then shows its refusals: a role not held in the case's centre, and,
    /// once the clerk is made an approver through the log, the refused self-approval.
    private func whoMayAct(_ session: Session, _ file: ArtifactFile) throws {
        for outcome in try Deployer(catalog: session.catalog).deploy([file], principal: Operator.principal) {
            print("  deployed \(outcome.artifact.summary)")
        }
        let c = session.cases
        let id = "RZ-2020-0302"
        try step(c.open(workflowID: "permit-check", caseID: id, actor: "ma.lin", role: "applicant", data: ["centre": "rizhao", "channel": "window"],
                        at: at("2020-03-02T09:10:00+08:00"), principal: Operator.principal), session)
        try step(c.fire(caseID: id, event: "accept", actor: "li.wei", role: "clerk", at: at("2020-03-02T09:40:00+08:00"), principal: Operator.principal), session)
        func attempt(_ what: String, _ command: () throws -> CommandOutcome) throws {
            print("  -- \(what)")
            do {
                try step(command(), session)
            } catch let denied as AccessDenied {
                print("  refused (\(denied.code.rawValue)): \(denied.message)")
            } catch let refusal as Refusal {
                print("  refused (\(refusal.code.rawValue)): \(refusal.message)")
            }
        }
        let approve = { (who: String) throws -> CommandOutcome in
            try c.fire(caseID: id, event: "approve", actor: who, role: "approver", documents: ["site_photos"],
                       at: at("2020-03-03T10:00:00+08:00"), principal: Operator.principal)
        }
        try attempt("li.wei, clerk of rizhao, tries to approve \(id):") { try approve("li.wei") }
        try DirectoryService(catalog: session.catalog).change(.grant(person: "li.wei", role: "approver", scope: "rizhao", from: nil, until: nil),
                                                               principal: Operator.principal, by: "zhang.min")
        print("  -- zhang.min (directory_admin) makes li.wei an approver of rizhao, through the log")
        try attempt("li.wei, who accepted \(id), tries again:") { try approve("li.wei") }
        try attempt("wang.fang, approver of rizhao, approves it:") { try approve("wang.fang") }
    }
}
