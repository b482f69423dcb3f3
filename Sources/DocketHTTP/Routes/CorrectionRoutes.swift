import DocketCore
import DocketService
import Foundation
import Hummingbird
import HTTPTypes

/// The body of `POST /v1/cases/{id}/corrections` (as `docket correct`).
struct CorrectionBody: Decodable {
    /// The version of the event corrected.
    var event: Int
    var by: String?
    var reason: String
    /// The corrected business time.
    var at: String?
    /// The person who really did it.
    var actor: String?
    /// The documents really supplied (replaces the recorded list; `[]` for none).
    var documents: [String]?
    /// Their files, uploaded before, by hash (each also counts as a document supplied).
    var attachments: [AttachmentReference]?
    /// Corrected opening data values (an empty value removes the field).
    var data: [String: String]?
}

/// The body of `POST /v1/cases/{id}/voids` (as `docket void`).
struct VoidBody: Decodable {
    /// The version of the act voided.
    var event: Int
    var by: String?
    var reason: String
}

/// Corrections and voids of a case's record, through the same service as the CLI's.
struct CorrectionRoutes {
    let services: ServerServices

    func register(on router: Router<DocketRequestContext>, table: RouteTable) {
        router.route(.post, "/v1/cases/{id}/corrections", in: table, correct)
        router.route(.post, "/v1/cases/{id}/voids", in: table, void)
    }

    @Sendable func correct(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let caseID = try context.parameters.require("id")
        let body = try await JSONBody.decode(CorrectionBody.self, from: request)
        let actor = try CommandActor.of(context, by: body.by, role: nil, onBehalfOf: nil)
        let at = try body.at.map { try BusinessTime($0, field: "at") }
        let services = self.services, cases = services.cases
        return try await CaseRoutes(services: services).command(request, caseID: caseID, workflow: nil, event: "correct") { _, required in
            let attachments = try body.attachments.map { try $0.map { try $0.resolved(in: try services.documents()) } }
            var names = body.documents
            if let attachments { names = (names ?? []) + attachments.map(\.document).filter { !(names ?? []).contains($0) } }
            return try cases.correct(caseID: caseID, event: body.event, by: actor.actor, reason: body.reason, at: try at.map { try cases.instant(of: $0, caseID: caseID) }, actorCorrected: body.actor,
                                     documents: names, attachments: attachments, data: body.data, principal: context.principal,
                                     requiredVersion: required)
        }
    }

    @Sendable func void(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let caseID = try context.parameters.require("id")
        let body = try await JSONBody.decode(VoidBody.self, from: request)
        let actor = try CommandActor.of(context, by: body.by, role: nil, onBehalfOf: nil)
        let cases = services.cases
        return try await CaseRoutes(services: services).command(request, caseID: caseID, workflow: nil, event: "void") { _, required in
            try cases.void(caseID: caseID, event: body.event, by: actor.actor, reason: body.reason, principal: context.principal,
                           requiredVersion: required)
        }
    }
}
