@binding @role:eim @transport:http
Feature: The ESipa HTTP binding (SGP.32 6.1, 6.3)
  Every ESipa request is one DER message in POST /gsma/rsp2/asn1 with Content-Type
  application/x-gsma-rsp-asn1 and X-Admin-Protocol gsma/rsp/v<version>; the answer is a 200
  with the same content type and an X-Admin-Protocol, functional errors inside the ASN.1. A
  request that breaks a rule of the binding is answered with a 4xx status: not 200 (processed as
  if valid) and not 5xx (the eIM failed). Each request here is a well-formed GetEimPackageRequest
  of a registered device with exactly one rule broken, sent on a fresh connection.

  @id:BIND-001 @spec:6.1 @must @catches:wrong-content-type @catches:admin-protocol-omitted
  Scenario: A well-formed request is answered 200 with the binding's headers
    Given a device registered at the SUT
    When a GetEimPackageRequest of the device is sent to the SUT
    Then the SUT answers with HTTP 200
    And the answer's Content-Type is application/x-gsma-rsp-asn1
    And the answer carries X-Admin-Protocol gsma/rsp/v<version>
    And the answer is a GetEimPackageResponse

  @id:BIND-002 @spec:6.1.1 @must @catches:binding-violations-accepted @catches:binding-errors-as-500
  Scenario: Another path is answered with a 4xx
    Given a device registered at the SUT
    When a GetEimPackageRequest of the device is sent to the SUT on another path
    Then the SUT answers with a 4xx status

  @id:BIND-003 @spec:6.1.1 @must @catches:binding-violations-accepted @catches:binding-errors-as-500
  Scenario: Another method than POST is answered with a 4xx
    Given a device registered at the SUT
    When a GetEimPackageRequest of the device is sent to the SUT with method PUT
    Then the SUT answers with a 4xx status

  @id:BIND-004 @spec:6.1 @must @catches:binding-violations-accepted @catches:binding-errors-as-500
  Scenario: A wrong Content-Type is answered with a 4xx
    Given a device registered at the SUT
    When a GetEimPackageRequest of the device is sent to the SUT with Content-Type "application/json"
    Then the SUT answers with a 4xx status

  @id:BIND-005 @spec:6.1 @must @catches:binding-violations-accepted @catches:binding-errors-as-500
  Scenario: A missing Content-Type is answered with a 4xx
    Given a device registered at the SUT
    When a GetEimPackageRequest of the device is sent to the SUT without Content-Type
    Then the SUT answers with a 4xx status

  @id:BIND-006 @spec:6.1 @must @catches:binding-violations-accepted @catches:binding-errors-as-500
  Scenario: A missing X-Admin-Protocol is answered with a 4xx
    Given a device registered at the SUT
    When a GetEimPackageRequest of the device is sent to the SUT without X-Admin-Protocol
    Then the SUT answers with a 4xx status

  @id:BIND-007 @spec:6.1 @must @catches:binding-violations-accepted @catches:binding-errors-as-500
  Scenario: An unknown X-Admin-Protocol is answered with a 4xx
    Given a device registered at the SUT
    When a GetEimPackageRequest of the device is sent to the SUT with X-Admin-Protocol "not-a-protocol/v0"
    Then the SUT answers with a 4xx status

  @id:BIND-008 @spec:6.3 @must @catches:binding-errors-as-500
  Scenario: An empty body is answered with a 4xx
    When a request with an empty body is sent to the SUT
    Then the SUT answers with a 4xx status

  @id:BIND-009 @spec:6.3 @must @catches:binding-errors-as-500
  Scenario: A body that is no ESipa message is answered with a 4xx
    When the bytes FFFF0102 are sent to the SUT as an ESipa message
    Then the SUT answers with a 4xx status
