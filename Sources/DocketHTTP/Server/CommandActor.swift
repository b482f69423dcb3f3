import DocketCore

/// Who does a command sent through the API: the one place a request's authenticated principal
/// and the actor fields of its body (`by`, `as`, `on_behalf_of`, as the CLI's `--by`, `--as`,
/// `--on-behalf-of`) become a command's actor.
///
/// `by` defaults to the principal's person id; the principal itself is kept beside the actor so
/// that it can be passed on to the case service (and recorded in the log) as soon as the service
/// takes one.
package struct CommandActor: Sendable {
    package var principal: Principal
    package var actor: String
    package var role: String?
    package var onBehalfOf: String?

    /// The actor of a command sent by `context`'s principal with the body's actor fields.
    package static func of(_ context: DocketRequestContext, by: String?, role: String?, onBehalfOf: String?) throws -> CommandActor {
        guard let principal = context.principal else {
            // The authentication middleware runs before every command route; reaching here
            // without a principal is a route registered as open by mistake.
            throw HTTPProblem.unauthenticated("this route needs a bearer token")
        }
        if let by, by.isEmpty { throw HTTPProblem.invalidParameter("'by' is empty: name who acts, or leave it out to act as yourself") }
        return CommandActor(principal: principal, actor: by ?? principal.personID ?? principal.id, role: role, onBehalfOf: onBehalfOf)
    }
}
