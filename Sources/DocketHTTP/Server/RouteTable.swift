import Hummingbird
import HTTPTypes
import Synchronization

/// The routes the server registered, as OpenAPI writes them (`/v1/cases/{id}`): what answers 405
/// instead of 404, and what the OpenAPI document is checked against both ways.
package final class RouteTable: Sendable {
    package struct Route: Hashable, Sendable, CustomStringConvertible {
        package var method: HTTPRequest.Method
        package var path: String
        package var description: String { "\(method) \(path)" }
    }

    // Filled while the router is built, read while serving.
    private let entries = Mutex<[Route]>([])

    package init() {}

    package var routes: [Route] { entries.withLock { $0 } }

    func add(_ method: HTTPRequest.Method, _ path: String) {
        // A router built twice from one server (tests do) registers each route once here.
        let route = Route(method: method, path: path)
        entries.withLock { if !$0.contains(route) { $0.append(route) } }
    }

    /// The methods some route takes on `path` (empty when no route has the path).
    func methods(serving path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: true)
            return template.count == segments.count
                && zip(template, segments).allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") || $0 == $1 }
        }.map(\.method)
    }
}

extension Router where Context == DocketRequestContext {
    /// Registers `handler` for `method` `path` and records the route in `table`.
    @discardableResult
    func route(_ method: HTTPRequest.Method, _ path: String, in table: RouteTable,
               _ handler: @escaping @Sendable (Request, Context) async throws -> Response) -> Self {
        table.add(method, path)
        return on(RouterPath(path), method: method, use: handler)
    }
}
