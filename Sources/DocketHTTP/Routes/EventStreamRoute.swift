import DocketCore
import DocketService
import DocketStore
import Hummingbird
import HTTPTypes
import ServiceLifecycle

/// `GET /v1/events?after=POSITION`: the log as server-sent events, from just after `POSITION`
/// (0: from the start), then following it live.
///
/// Each event is one SSE message: `id:` its position, `event:` its type, `data:` the
/// `EventView` JSON of `docket history --format json` (one `data:` line per line of it). A
/// consumer that reconnects with `Last-Event-ID` (which wins over `after`) resumes just after
/// the last event it saw: positions are dense and never reused, so it misses nothing and sees
/// nothing twice. The stream looks at the log as soon as this server appended (``AppendSignal``)
/// and at least every `ServerServices.eventPollInterval` (other processes' appends), sends a
/// comment every ``heartbeat`` so proxies keep it open, and ends when the server shuts down
/// gracefully.
///
/// Who sees what (issue 13): an `auditor` (and everyone, when no directory is deployed) the whole
/// log; anyone else only the events of the cases they may read (``ReadAccess``), never the log's
/// own streams (a directory's changes). Positions skipped are not sent, so ids have gaps; a
/// consumer resumes with the last id it saw all the same. Which cases may be read is decided on
/// each page (a grant revoked takes effect within a poll); opening the stream is recorded in the
/// access log.
struct EventStreamRoute {
    let services: ServerServices
    static let heartbeat: Duration = .seconds(15)
    static let pageSize = 256

    func register(on router: Router<DocketRequestContext>, table: RouteTable) {
        router.route(.get, "/v1/events", in: table, stream)
    }

    @Sendable func stream(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let start: Int64
        if let lastEventID = request.headers[.lastEventID] {
            guard let position = Int64(lastEventID.trimmingCharacters(in: .whitespaces)), position >= 0 else {
                throw HTTPProblem.invalidParameter("Last-Event-ID '\(lastEventID)' is not a position this stream sent")
            }
            start = position
        } else {
            start = try Query(request: request).int64("after") ?? 0
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let services = self.services
        let logger = context.logger
        let principal = try ReadAccess.principal(context)
        let wholeLog = try await services.blocking {
            try ReadAccess.record(.readEvents, by: principal, request: context, in: services)
            return try services.authorizer().mayReadWholeLog(principal)
        }
        logger.info("event stream from position \(start)\(wholeLog ? "" : ", the cases \(principal.recorded) may read")")
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var last = start
            var times: [String: TimeText] = [:]
            var quietSince = ContinuousClock.now
            let subscription = services.appends.subscribe(every: services.eventPollInterval)
            defer { services.appends.unsubscribe(subscription) }
            var wakeUps = subscription.wakeUps.makeAsyncIterator()
            // An SSE comment first: the client sees the stream open at once, events or not.
            try await writer.write(ByteBuffer(string: ": docket events after \(start)\n\n"))
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                let (messages, position, seenTimes) = try await services.blocking { [last, times] () throws -> (String, Int64, [String: TimeText]) in
                    var times = times
                    let page = try services.log.events(after: last, limit: Self.pageSize)
                    let shown = wholeLog || page.isEmpty ? page : try Self.readable(page, by: principal, in: services)
                    var text = ""
                    for recorded in shown {
                        text += try Self.message(recorded, time: Self.time(for: recorded, in: services.catalog, cache: &times))
                    }
                    return (text, page.last?.position ?? last, times)
                }
                times = seenTimes
                if position > last {
                    last = position
                    if !messages.isEmpty {
                        quietSince = .now
                        try await writer.write(ByteBuffer(string: messages))
                    }
                    continue
                }
                if ContinuousClock.now - quietSince > Self.heartbeat {
                    quietSince = .now
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                }
                // Nil when the request's task is cancelled, or when the server starts shutting down
                // (which ends the wake-ups at once rather than at the next poll).
                let woken = await withGracefulShutdownHandler {
                    await wakeUps.next() != nil
                } onGracefulShutdown: {
                    services.appends.unsubscribe(subscription)
                }
                guard woken else { break }
            }
            logger.info("event stream ended at position \(last)")
            try await writer.finish(nil)
        })
    }

    /// The events of `page` whose cases `principal` may read, with the directory in force now.
    /// Each case is judged on all its events up to the page's end (the portal reads a case once
    /// it has acted on it); the log's own streams (`@...`) are the whole log's only.
    static func readable(_ page: [RecordedEvent], by principal: Principal, in services: ServerServices) throws -> [RecordedEvent] {
        let authorizer = try services.authorizer()
        let end = page.last?.position ?? 0
        var verdicts: [String: Bool] = [:]
        return try page.filter { recorded in
            let caseID = recorded.event.caseID
            if let verdict = verdicts[caseID] { return verdict }
            let events = caseID.hasPrefix("@") ? [] : try services.log.events(of: caseID).filter { $0.position <= end }
            let verdict = CaseSubject(events: events).map { authorizer.mayRead(principal, $0) } ?? false
            verdicts[caseID] = verdict
            return verdict
        }
    }

    /// One SSE message.
    static func message(_ recorded: RecordedEvent, time: TimeText) throws -> String {
        let json = try JSONOutput.text(EventView(recorded, time: time))
        let data = json.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)\n" }.joined()
        return "id: \(recorded.position)\nevent: \(recorded.event.type.rawValue)\n\(data)\n"
    }

    /// Times in the zone of the event's workflow's calendar, as `docket history` writes them.
    static func time(for recorded: RecordedEvent, in catalog: WorkflowCatalog, cache: inout [String: TimeText]) throws -> TimeText {
        let key = "\(recorded.event.workflowID)@\(recorded.event.workflowVersion)"
        if let time = cache[key] { return time }
        let definition = try catalog.definition(recorded.event.workflowID, version: recorded.event.workflowVersion)
        let time = TimeText(calendar: try catalog.workingCalendar(for: definition))
        cache[key] = time
        return time
    }
}
