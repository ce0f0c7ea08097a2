@binding @role:eim @transport:coap @feature:coap
Feature: The ESipa CoAP binding (SGP.32 6.2; RFC 7252, RFC 7959, RFC 9175)
  Over CoAP every ESipa request is one DER message in a confirmable POST to /gsma/rsp2/asn1
  (no Content-Format: the path implies it), the answer the DER response with the request's
  token, piggybacked in the ACK or as a separate response. A message larger than one datagram
  travels block-wise (RFC 7959), the request blocks tied together by a Request-Tag (RFC 9175).
  Duplicates of a confirmable request (same message id) are answered with the first answer and
  processed once (RFC 7252 4.5). These cases send raw CoAP messages to the SUT's CoAP endpoint
  (UDP, or DTLS in a coaps run); over another transport they run against the SUT's CoAP
  endpoint when it has one, else they are not applicable (UNSUPPORTED).

  @id:COAP-001 @spec:6.2 @must @catches:choice-tag-twice
  Scenario: A GetEimPackageRequest in a confirmable CoAP POST is answered with its token
    Given a device registered at the SUT
    When the device's GetEimPackageRequest is sent to the SUT in one confirmable CoAP request
    Then the SUT answers with a CoAP success code and the request's token
    And the CoAP answer is a GetEimPackageResponse

  @id:COAP-002 @spec:6.2 @must @catches:coap-request-tag-ignored
  Scenario: Block1 blocks of two requests with different Request-Tags are kept apart
    Given 2 devices registered at the SUT
    When the GetEimPackageRequests of devices 1 and 2 are sent to the SUT in 16-byte Block1 blocks, interleaved, each under its own Request-Tag
    Then each of the two answers is a GetEimPackageResponse for its own device

  @id:COAP-003 @spec:6.2 @must @catches:choice-tag-twice
  Scenario: A package larger than the block size asked for arrives whole through Block2
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT over CoAP asking for 16-byte Block2 blocks
    Then the package arrived whole in blocks of at most 16 bytes

  @id:COAP-004 @spec:6.2 @must @catches:coap-duplicates-reprocessed
  Scenario: A duplicate confirmable request gets the first answer and is processed once
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device fetches its package over CoAP, executes it and delivers the result over CoAP
    And the SUT is ordered to enable profile "C"
    And the device's first CoAP request is sent again with the same message id
    Then the SUT answers it with the same message as the first time
    And the SUT reports order 2 queued

  @id:COAP-005 @spec:6.2 @must @catches:coap-duplicates-ignored
  Scenario: A request whose answer is lost is retransmitted and answered
    Given a device registered at the SUT
    When the device's GetEimPackageRequest is sent to the SUT in one confirmable CoAP request and the answer is lost
    Then the retransmission with the same message id is answered with the same message

  @id:COAP-006 @spec:6.2 @should
  Scenario: A request announcing a body over the SUT's limit is refused with 4.13
    Given a device registered at the SUT
    When a CoAP request announcing a 16777216-byte body in Size1 is sent to the SUT in Block1 blocks
    Then the SUT refuses it with 4.13 Request Entity Too Large

  @id:COAP-007 @spec:6.2 @should
  Scenario: Datagrams that are not CoAP messages do not stop the SUT from answering
    Given a device registered at the SUT
    When 200 datagrams that are not CoAP messages are sent to the SUT's CoAP endpoint
    And the device's GetEimPackageRequest is sent to the SUT in one confirmable CoAP request
    Then the SUT answers with a CoAP success code and the request's token
    And the CoAP answer is a GetEimPackageResponse
