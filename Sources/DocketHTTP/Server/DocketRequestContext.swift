import DocketCore
import Hummingbird

/// What a request carries through the middleware to its handler: Hummingbird's own storage (logger,
/// route parameters), the request's id, and who it was authenticated as.
package struct DocketRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// Set by `RequestIDMiddleware` before anything else runs.
    package var requestID: String = ""
    /// Set by `AuthenticationMiddleware` on every route that needs a token; nil on the open ones
    /// (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`).
    package var principal: Principal?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies are read by `JSONBody`, which answers 413 past ``HTTPLimits/maxBodyBytes``.
    package var maxUploadSize: Int { HTTPLimits.maxBodyBytes }
}

/// The limits a request meets before any handler runs.
package enum HTTPLimits {
    /// The largest request body accepted (1 MiB): a deployment's definitions and calendars are a
    /// few kilobytes each.
    package static let maxBodyBytes = 1 << 20
    /// How long a request's body may take to arrive once its head has.
    package static let bodyReadTimeout: Duration = .seconds(30)
}
