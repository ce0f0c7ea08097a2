@security @role:eim
Feature: The SUT refuses eUICC results it can't trust (SGP.32 2.11.2.1, 6.3.2.7)
  A result is acted on only when its eUICC signature verifies with a CERT.EUICC that chains to
  the CI through an EUM whose EIN range holds the EID, and when it echoes the counterValue and
  eimTransactionId sent, for the device it came from. "Refused" means: the order is not
  reported done, no outcome is recorded, and the result is still answered with a
  ProvideEimPackageResultResponse.

  @id:SEC-010 @spec:2.11.2.1 @must @catches:accept-bad-result-signature
  Scenario: A result with a bad eUICC signature is refused
    Given a device registered at the SUT whose eUICC signs its results with a corrupted signature
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the SUT refuses the eUICC's result

  @id:SEC-011 @spec:2.11.2.1 @must @catches:accept-counter-mismatch
  Scenario: A result echoing another counterValue is refused
    Given a device registered at the SUT whose eUICC echoes a stale counterValue in its results
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the SUT refuses the eUICC's result

  @id:SEC-012 @spec:2.11.2.1 @must @catches:accept-wrong-transaction-id
  Scenario: A result echoing another eimTransactionId is refused
    Given a device registered at the SUT whose eUICC echoes a wrong eimTransactionId in its results
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the SUT refuses the eUICC's result

  @id:SEC-013 @spec:6.3.2.7 @must @catches:accept-result-for-other-eid
  Scenario: A result delivered with another device's EID is refused
    Given 2 devices registered at the SUT
    When the SUT is ordered to enable profile "B" for device 1
    And device 1 executes its package but the result is delivered with device 2's EID
    Then the SUT refuses the eUICC's result
    And the SUT reports order 1 delivered

  @id:SEC-014 @spec:2.11.2.1 @must @catches:accept-unknown-ci
  Scenario: A result from an eUICC whose certificate does not chain to the CI is refused
    Given a device registered at the SUT with a certificate from a CI the SUT does not trust
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the SUT refuses the eUICC's result

  @id:SEC-015 @spec:2.11.2.1 @must @catches:accept-eid-outside-eum-range @catches:accept-unknown-ci
  Scenario: A result from an eUICC whose EID is outside its EUM's range is refused
    Given a device registered at the SUT whose EID lies outside its EUM's EIN range
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the SUT refuses the eUICC's result

  @id:SEC-016 @spec:2.11.2.1 @must @catches:accept-unknown-ci
  Scenario: A result from an eUICC whose certificate names another EID is refused
    Given a device registered at the SUT with the certificate of another eUICC
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the SUT refuses the eUICC's result
