/// The OpenAPI 3.1 description of every route, served verbatim at `/openapi.json`.
///
/// Kept here, in the binary, rather than as a resource file: `docket` is one executable that runs
/// wherever it is copied. `OpenAPIDocumentTests` checks it both ways against the router: every
/// route registered is documented, and every documented path and method is served.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Docket API",
    "version": "1.0.0",
    "description": "Event-sourced approval workflows over HTTP: the services of the docket CLI, with the same JSON shapes as its --format json. Docs/api.md explains the errors, the ETags and idempotency keys, and the event stream."
  },
  "servers": [
    {
      "url": "http://127.0.0.1:8080"
    }
  ],
  "security": [
    {
      "bearer": []
    }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "operationId": "health",
        "summary": "The process is up.",
        "security": [],
        "responses": {
          "200": {
            "description": "Up",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "operationId": "ready",
        "summary": "The log can be read and written.",
        "security": [],
        "responses": {
          "200": {
            "description": "Ready",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus metrics (text format).",
        "security": [],
        "responses": {
          "200": {
            "description": "Metrics",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document.",
        "security": [],
        "responses": {
          "200": {
            "description": "The OpenAPI document",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        }
      }
    },
    "/v1/deployments": {
      "post": {
        "operationId": "deploy",
        "summary": "Deploy workflow definitions and calendars (docket deploy).",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/DeploymentRequest"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Something new was deployed",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Deployment"
                  }
                }
              }
            }
          },
          "200": {
            "description": "Everything was already deployed",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Deployment"
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/workflows": {
      "get": {
        "operationId": "listWorkflows",
        "summary": "Every deployed workflow version.",
        "responses": {
          "200": {
            "description": "Workflows",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Workflow"
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/workflows/{id}/graph": {
      "get": {
        "operationId": "workflowGraph",
        "summary": "A workflow as a Mermaid or Graphviz diagram (docket graph).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The workflow id."
          },
          {
            "name": "format",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "mermaid",
                "dot"
              ]
            },
            "description": "mermaid (default) or dot"
          },
          {
            "name": "version",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1
            },
            "description": "The deployed version (default: the newest)."
          }
        ],
        "responses": {
          "200": {
            "description": "The diagram",
            "content": {
              "text/vnd.mermaid": {
                "schema": {
                  "type": "string"
                }
              },
              "text/vnd.graphviz": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases": {
      "post": {
        "operationId": "openCase",
        "summary": "Open a case (docket start).",
        "parameters": [
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "maxLength": 256
            },
            "description": "A retry with the same key returns the first answer and appends nothing."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/OpenCase"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The case was opened (or, replayed, had been)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommandOutcome"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              },
              "Location": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "409": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      },
      "get": {
        "operationId": "listCases",
        "summary": "List cases (docket cases), a page at a time.",
        "parameters": [
          {
            "name": "workflow",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only cases of this workflow."
          },
          {
            "name": "state",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only cases in this state (case-level or branch)."
          },
          {
            "name": "open",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Only open cases."
          },
          {
            "name": "overdue",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Only cases past a time limit at `now`."
          },
          {
            "name": "now",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            },
            "description": "Judge deadlines as of this time (ISO 8601)."
          },
          {
            "name": "applicant",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only cases of this applicant: whom a clerk opened it for, or who opened it as applicant."
          },
          {
            "name": "department",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only cases that entered a state of this department."
          },
          {
            "name": "channel",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only cases opened on this channel."
          },
          {
            "name": "data",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only cases opened with this data: KEY:VALUE[,KEY:VALUE...], all must match."
          },
          {
            "name": "opened_from",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            },
            "description": "Only cases opened at or after this time."
          },
          {
            "name": "opened_before",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            },
            "description": "Only cases opened before this time."
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 500
            },
            "description": "Cases per page (default 50)."
          },
          {
            "name": "after",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "The `next` cursor of the previous page."
          }
        ],
        "responses": {
          "200": {
            "description": "A page of cases",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CasePage"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}": {
      "get": {
        "operationId": "showCase",
        "summary": "A case at a glance (docket show).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          }
        ],
        "responses": {
          "200": {
            "description": "The case",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Case"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/history": {
      "get": {
        "operationId": "caseHistory",
        "summary": "Every event of a case (docket history).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          }
        ],
        "responses": {
          "200": {
            "description": "The events",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Event"
                  }
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/events": {
      "post": {
        "operationId": "fire",
        "summary": "Fire an event on a case (docket fire).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          },
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "maxLength": 256
            },
            "description": "A retry with the same key returns the first answer and appends nothing."
          },
          {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "example": "\"v7\""
            },
            "description": "The case's ETag as read; a stale one is refused with 412 and nothing is appended."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Fire"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "What the command recorded, and the case after it",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommandOutcome"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "409": {
            "$ref": "#/components/responses/Problem"
          },
          "412": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/votes": {
      "post": {
        "operationId": "vote",
        "summary": "Cast a panel member's vote (docket vote).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          },
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "maxLength": 256
            },
            "description": "A retry with the same key returns the first answer and appends nothing."
          },
          {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "example": "\"v7\""
            },
            "description": "The case's ETag as read; a stale one is refused with 412 and nothing is appended."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Vote"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "What the vote recorded, and the case after it",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommandOutcome"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "409": {
            "$ref": "#/components/responses/Problem"
          },
          "412": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/corrections": {
      "post": {
        "operationId": "correct",
        "summary": "Correct an earlier event of a case: its time, actor, documents or opening data, with a reason (docket correct).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          },
          {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "example": "\"v7\""
            },
            "description": "The case's ETag as read; a stale one is refused with 412 and nothing is appended."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Correction"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The correcting event, and the case with the corrected facts",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommandOutcome"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "409": {
            "$ref": "#/components/responses/Problem"
          },
          "412": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/voids": {
      "post": {
        "operationId": "void",
        "summary": "Void the case's last act by a person (and what it set off), with a reason (docket void).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          },
          {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "example": "\"v7\""
            },
            "description": "The case's ETag as read; a stale one is refused with 412 and nothing is appended."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Void"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The void, and the case back where it was before the act",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommandOutcome"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "409": {
            "$ref": "#/components/responses/Problem"
          },
          "412": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/attachments": {
      "post": {
        "operationId": "uploadAttachment",
        "summary": "Keep a document's file (the body; Content-Type is its media type) under its SHA-256, to name it in a fired event or a correction.",
        "requestBody": {
          "required": true,
          "content": {
            "*/*": {
              "schema": {
                "type": "string",
                "format": "binary"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The file's hash, size and media type",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/StoredAttachment"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "501": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/attachments/{sha256}": {
      "get": {
        "operationId": "downloadAttachment",
        "summary": "A document's file named by an event of the case (docket attachment get).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          },
          {
            "name": "sha256",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[0-9a-f]{64}$"
            },
            "description": "The file's SHA-256."
          }
        ],
        "responses": {
          "200": {
            "description": "The file's bytes, with the media type recorded",
            "content": {
              "*/*": {
                "schema": {
                  "type": "string",
                  "format": "binary"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/reports/process": {
      "get": {
        "operationId": "processReport",
        "summary": "The process report (docket report), JSON, CSV or the HTML page.",
        "parameters": [
          {
            "name": "workflow",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only this workflow."
          },
          {
            "name": "version",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1
            },
            "description": "Only this version."
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            },
            "description": "Cases opened at or after (ISO 8601)."
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            },
            "description": "Cases opened before (ISO 8601)."
          },
          {
            "name": "department",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only this department."
          },
          {
            "name": "role",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only this role."
          },
          {
            "name": "on_behalf_of",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only this assisted party."
          },
          {
            "name": "channel",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only this channel."
          },
          {
            "name": "time",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "wall",
                "working",
                "statutory"
              ]
            },
            "description": "The clock."
          },
          {
            "name": "now",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            },
            "description": "Measure open cases' ages to this time."
          },
          {
            "name": "by",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "state",
                "department",
                "role",
                "transition",
                "channel"
              ]
            },
            "description": "The CSV breakdown."
          },
          {
            "name": "format",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "json",
                "csv",
                "html"
              ]
            },
            "description": "json (default), csv or html; Accept: text/csv asks for CSV, Accept: text/html for the page."
          }
        ],
        "responses": {
          "200": {
            "description": "The report",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              },
              "text/csv": {
                "schema": {
                  "type": "string"
                }
              },
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/verify": {
      "post": {
        "operationId": "verify",
        "summary": "Check the log's integrity (docket verify).",
        "responses": {
          "200": {
            "description": "The report; ok is false when something was changed behind Docket's back",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Verify"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/access-log": {
      "get": {
        "operationId": "accessLog",
        "summary": "Who read which case, oldest first (docket access-log); needs the auditor role when a directory is deployed.",
        "parameters": [
          {
            "name": "case",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only the reads of this case."
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 10000
            },
            "description": "At most this many rows (default 500)."
          }
        ],
        "responses": {
          "200": {
            "description": "The reads recorded",
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": [
                      "at",
                      "principal",
                      "action"
                    ],
                    "properties": {
                      "id": {
                        "type": "integer"
                      },
                      "at": {
                        "type": "string"
                      },
                      "principal": {
                        "type": "string"
                      },
                      "action": {
                        "type": "string"
                      },
                      "case_id": {
                        "type": "string"
                      },
                      "request_id": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/events": {
      "get": {
        "operationId": "events",
        "summary": "The log as server-sent events, then live.",
        "parameters": [
          {
            "name": "after",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 0
            },
            "description": "Start after this position (default 0)."
          },
          {
            "name": "Last-Event-ID",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "The id of the last event seen: resumes after it (wins over `after`)."
          }
        ],
        "responses": {
          "200": {
            "description": "An endless text/event-stream: id = position, event = type, data = the Event JSON",
            "content": {
              "text/event-stream": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/claim": {
      "post": {
        "operationId": "claim",
        "summary": "Claim a case or a branch of it (docket claim).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          },
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "maxLength": 256
            },
            "description": "A retry with the same key returns the first answer and appends nothing."
          },
          {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "example": "\"v7\""
            },
            "description": "The case's ETag as read; a stale one is refused with 412 and nothing is appended."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Claim"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The claim recorded (none when already held by the claimant), and the case after it",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommandOutcome"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "409": {
            "$ref": "#/components/responses/Problem"
          },
          "412": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/release": {
      "post": {
        "operationId": "release",
        "summary": "Release a claim (docket release).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          },
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "maxLength": 256
            },
            "description": "A retry with the same key returns the first answer and appends nothing."
          },
          {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "example": "\"v7\""
            },
            "description": "The case's ETag as read; a stale one is refused with 412 and nothing is appended."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Claim"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The release recorded, and the case after it",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommandOutcome"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "409": {
            "$ref": "#/components/responses/Problem"
          },
          "412": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/cases/{id}/reassign": {
      "post": {
        "operationId": "reassign",
        "summary": "A supervisor gives the work to another member of staff (docket reassign).",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            },
            "description": "The case id."
          },
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "maxLength": 256
            },
            "description": "A retry with the same key returns the first answer and appends nothing."
          },
          {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "example": "\"v7\""
            },
            "description": "The case's ETag as read; a stale one is refused with 412 and nothing is appended."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/Reassign"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The reassignment recorded, and the case after it",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/CommandOutcome"
                }
              }
            },
            "headers": {
              "ETag": {
                "description": "The case's version, \"vN\".",
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "404": {
            "$ref": "#/components/responses/Problem"
          },
          "409": {
            "$ref": "#/components/responses/Problem"
          },
          "412": {
            "$ref": "#/components/responses/Problem"
          },
          "413": {
            "$ref": "#/components/responses/Problem"
          },
          "415": {
            "$ref": "#/components/responses/Problem"
          },
          "422": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/v1/worklist": {
      "get": {
        "operationId": "worklist",
        "summary": "The work waiting on a department, a role or a person (docket worklist).",
        "parameters": [
          {
            "name": "workflow",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only work of this workflow."
          },
          {
            "name": "department",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only work in a state of this department."
          },
          {
            "name": "role",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only work this role can act on."
          },
          {
            "name": "held_by",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only work this person holds."
          },
          {
            "name": "mine",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Only work the signed-in person holds."
          },
          {
            "name": "unclaimed",
            "in": "query",
            "required": false,
            "schema": {
              "type": "boolean"
            },
            "description": "Only work nobody holds."
          },
          {
            "name": "due_within",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only work due within this working time (2d, 4h), overdue included."
          },
          {
            "name": "sort",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "urgent",
                "oldest"
              ]
            },
            "description": "urgent (soonest due first, the default) or oldest."
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 500
            },
            "description": "At most this many items (default 50)."
          },
          {
            "name": "now",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            },
            "description": "Judge deadlines as of this time."
          }
        ],
        "responses": {
          "200": {
            "description": "The first items and the total",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Worklist"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Problem"
          },
          "401": {
            "$ref": "#/components/responses/Problem"
          },
          "403": {
            "$ref": "#/components/responses/Problem"
          },
          "503": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A JWT of the identity provider, or an API token Docket issued."
      }
    },
    "responses": {
      "Problem": {
        "description": "A problem (RFC 9457)",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      }
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "required": [
          "type",
          "title",
          "status",
          "detail",
          "code"
        ],
        "properties": {
          "type": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "status": {
            "type": "integer"
          },
          "detail": {
            "type": "string",
            "description": "The words the CLI prints for the same error."
          },
          "code": {
            "type": "string",
            "description": "The stable error code."
          },
          "request_id": {
            "type": "string"
          }
        }
      },
      "Health": {
        "type": "object",
        "properties": {
          "status": {
            "type": "string"
          },
          "last_position": {
            "type": "integer"
          }
        }
      },
      "DeploymentRequest": {
        "type": "object",
        "required": [
          "files"
        ],
        "properties": {
          "files": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "name",
                "text"
              ],
              "properties": {
                "name": {
                  "type": "string",
                  "description": "What problems are reported under, e.g. permit-check.yaml."
                },
                "text": {
                  "type": "string",
                  "description": "The definition's or calendar's YAML."
                }
              }
            }
          }
        }
      },
      "Deployment": {
        "type": "object",
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "workflow",
              "calendar"
            ]
          },
          "id": {
            "type": "string"
          },
          "version": {
            "type": "integer"
          },
          "file": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "deployed",
              "unchanged"
            ]
          },
          "summary": {
            "type": "string"
          },
          "previous_version": {
            "type": "integer"
          },
          "dropped_rules": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "warnings": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      },
      "Workflow": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "version": {
            "type": "integer"
          },
          "title": {
            "type": "string"
          },
          "calendar": {
            "type": "string"
          },
          "roles": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "states": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "summary": {
            "type": "string"
          }
        }
      },
      "OpenCase": {
        "type": "object",
        "required": [
          "workflow"
        ],
        "properties": {
          "workflow": {
            "type": "string"
          },
          "version": {
            "type": "integer"
          },
          "case_id": {
            "type": "string"
          },
          "by": {
            "type": "string",
            "description": "Who acts (default: the token's person)."
          },
          "as": {
            "type": "string"
          },
          "on_behalf_of": {
            "type": "string"
          },
          "data": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "at": {
            "type": "string",
            "description": "Business time, ISO 8601; without an offset, read in the workflow calendar's time zone. More than 10 minutes after the clock only with allow_future."
          },
          "allow_future": {
            "type": "boolean",
            "description": "Accept an at more than 10 minutes after the clock; recorded on the events (future_allowed)."
          }
        }
      },
      "Fire": {
        "type": "object",
        "required": [
          "event",
          "as"
        ],
        "properties": {
          "event": {
            "type": "string"
          },
          "by": {
            "type": "string"
          },
          "as": {
            "type": "string"
          },
          "on_behalf_of": {
            "type": "string"
          },
          "documents": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "reason": {
            "type": "string"
          },
          "branch": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "description": "Business time, ISO 8601; without an offset, read in the workflow calendar's time zone. More than 10 minutes after the clock only with allow_future."
          },
          "allow_future": {
            "type": "boolean",
            "description": "Accept an at more than 10 minutes after the clock; recorded on the events (future_allowed)."
          },
          "attachments": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "document",
                "sha256"
              ],
              "properties": {
                "document": {
                  "type": "string"
                },
                "sha256": {
                  "type": "string"
                },
                "media_type": {
                  "type": "string"
                }
              }
            },
            "description": "Files uploaded before (POST /v1/attachments), by hash."
          },
          "data": {
            "type": "object",
            "description": "Case data given with the event, checked against the workflow's data declaration.",
            "additionalProperties": {
              "type": "string"
            }
          }
        }
      },
      "Correction": {
        "type": "object",
        "required": [
          "event",
          "reason"
        ],
        "properties": {
          "event": {
            "type": "integer",
            "description": "The version of the event corrected."
          },
          "by": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "description": "The corrected business time, ISO 8601; without an offset, read in the workflow calendar's time zone."
          },
          "actor": {
            "type": "string",
            "description": "The person who really did it."
          },
          "documents": {
            "type": "array",
            "items": {
              "type": "string"
            },
            "description": "The documents really supplied (replaces the recorded list)."
          },
          "attachments": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "document",
                "sha256"
              ],
              "properties": {
                "document": {
                  "type": "string"
                },
                "sha256": {
                  "type": "string"
                },
                "media_type": {
                  "type": "string"
                }
              }
            },
            "description": "Files uploaded before (POST /v1/attachments), by hash."
          },
          "data": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            },
            "description": "Corrected opening data values; an empty value removes the field."
          }
        }
      },
      "Void": {
        "type": "object",
        "required": [
          "event",
          "reason"
        ],
        "properties": {
          "event": {
            "type": "integer",
            "description": "The version of the act voided."
          },
          "by": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          }
        }
      },
      "StoredAttachment": {
        "type": "object",
        "properties": {
          "sha256": {
            "type": "string"
          },
          "size": {
            "type": "integer"
          },
          "media_type": {
            "type": "string"
          }
        }
      },
      "Vote": {
        "type": "object",
        "required": [
          "ballot",
          "as"
        ],
        "properties": {
          "ballot": {
            "type": "string",
            "enum": [
              "approve",
              "reject"
            ]
          },
          "by": {
            "type": "string"
          },
          "as": {
            "type": "string"
          },
          "on_behalf_of": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "description": "Business time, ISO 8601; without an offset, read in the workflow calendar's time zone. More than 10 minutes after the clock only with allow_future."
          },
          "allow_future": {
            "type": "boolean",
            "description": "Accept an at more than 10 minutes after the clock; recorded on the events (future_allowed)."
          }
        }
      },
      "Case": {
        "type": "object",
        "description": "As docket show --format json.",
        "properties": {
          "case_id": {
            "type": "string"
          },
          "workflow": {
            "type": "string"
          },
          "workflow_version": {
            "type": "integer"
          },
          "version": {
            "type": "integer"
          },
          "state": {
            "type": "string"
          },
          "whereabouts": {
            "type": "string"
          },
          "outcome": {
            "type": "string"
          },
          "opened_at": {
            "type": "string"
          },
          "closed_at": {
            "type": "string"
          },
          "data": {
            "type": "object"
          },
          "documents": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "send_back_rounds": {
            "type": "integer"
          },
          "clock_stopped": {
            "type": "boolean"
          },
          "deadlines": {
            "type": "array",
            "items": {
              "type": "object"
            }
          },
          "overdue": {
            "type": "boolean"
          },
          "desk": {
            "type": "object",
            "description": "What a clerk needs at a glance: applicant, acting_for, opened_by, holders, vote, documents_owed, working_seconds_left."
          },
          "allowed": {
            "type": "array",
            "items": {
              "type": "object"
            }
          },
          "workflow_title": {
            "type": "string",
            "description": "The workflow's display title, when it has one."
          },
          "state_title": {
            "type": "string",
            "description": "The state's display title, when it has one; state is the stable id."
          }
        }
      },
      "CaseSummary": {
        "type": "object",
        "description": "As one row of docket cases --format json.",
        "properties": {
          "case_id": {
            "type": "string"
          },
          "workflow": {
            "type": "string"
          },
          "workflow_version": {
            "type": "integer"
          },
          "state": {
            "type": "string"
          },
          "outcome": {
            "type": "string"
          },
          "opened_at": {
            "type": "string"
          },
          "overdue": {
            "type": "boolean"
          },
          "overdue_since": {
            "type": "string"
          },
          "provisional": {
            "type": "boolean",
            "description": "A running deadline needs dates whose holidays the calendar does not know yet."
          },
          "state_title": {
            "type": "string",
            "description": "The case-level state's display title, when it has one."
          }
        }
      },
      "CasePage": {
        "type": "object",
        "properties": {
          "cases": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/CaseSummary"
            }
          },
          "next": {
            "type": "string",
            "description": "The cursor of the next page; absent on the last."
          }
        }
      },
      "Event": {
        "type": "object",
        "description": "As one event of docket history --format json.",
        "properties": {
          "position": {
            "type": "integer"
          },
          "version": {
            "type": "integer"
          },
          "type": {
            "type": "string"
          },
          "occurred_at": {
            "type": "string"
          },
          "recorded_at": {
            "type": "string"
          },
          "actor": {
            "type": "string"
          },
          "role": {
            "type": "string"
          },
          "workflow": {
            "type": "string"
          },
          "hash": {
            "type": "string"
          }
        }
      },
      "CommandOutcome": {
        "type": "object",
        "properties": {
          "replayed": {
            "type": "boolean"
          },
          "events": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Event"
            }
          },
          "case": {
            "$ref": "#/components/schemas/Case"
          }
        }
      },
      "Verify": {
        "type": "object",
        "description": "As docket verify --format json.",
        "properties": {
          "ok": {
            "type": "boolean"
          },
          "event_count": {
            "type": "integer"
          },
          "case_count": {
            "type": "integer"
          },
          "deployment_count": {
            "type": "integer"
          },
          "head_position": {
            "type": "integer"
          },
          "head_hash": {
            "type": "string"
          },
          "problems": {
            "type": "array",
            "items": {
              "type": "object"
            }
          },
          "problems_truncated": {
            "type": "boolean"
          }
        }
      },
      "Claim": {
        "type": "object",
        "required": [
          "as"
        ],
        "properties": {
          "by": {
            "type": "string"
          },
          "as": {
            "type": "string"
          },
          "branch": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          }
        }
      },
      "Reassign": {
        "type": "object",
        "required": [
          "to"
        ],
        "properties": {
          "to": {
            "type": "string"
          },
          "by": {
            "type": "string"
          },
          "as": {
            "type": "string",
            "default": "supervisor"
          },
          "branch": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          }
        }
      },
      "Worklist": {
        "type": "object",
        "description": "As docket worklist --format json.",
        "properties": {
          "now": {
            "type": "string"
          },
          "total": {
            "type": "integer"
          },
          "items": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "case_id": {
                  "type": "string"
                },
                "workflow": {
                  "type": "string"
                },
                "workflow_version": {
                  "type": "integer"
                },
                "state": {
                  "type": "string"
                },
                "branch": {
                  "type": "string"
                },
                "department": {
                  "type": "string"
                },
                "waiting_since": {
                  "type": "string"
                },
                "holder": {
                  "type": "string"
                },
                "held_since": {
                  "type": "string"
                },
                "due_at": {
                  "type": "string"
                },
                "deadline": {
                  "type": "string"
                },
                "working_seconds_left": {
                  "type": "number"
                },
                "overdue": {
                  "type": "boolean"
                },
                "applicant": {
                  "type": "string"
                },
                "opened_at": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    }
  }
}
"""#
}
