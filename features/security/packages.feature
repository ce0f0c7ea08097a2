@security @role:eim
Feature: eUICC Package security on the wire (SGP.32 2.11.1.1)
  The packages the SUT sends are checked as the device received them, with the harness's own
  crypto: eimSignature (raw r||s) over the received DER(EuiccPackageSigned) || '84'
  associationToken with the key the SUT declares, the EID, the counterValue and the
  eimTransactionId.

  @id:SEC-001 @spec:2.11.1.1 @must @catches:bad-package-signature @catches:der-signature @catches:signature-without-association-token
  Scenario: The package signature verifies with the signing key the SUT declares
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then every eUICC package the device received verifies with the signing key the SUT declares

  @id:SEC-002 @spec:2.11.1.1 @must @catches:package-for-other-eid
  Scenario: The package names the EID of the device it is for
    Given 2 devices registered at the SUT
    When the SUT is ordered to enable profile "B" for device 2
    And device 2 polls the SUT
    Then every eUICC package the device received names the device's EID

  @id:SEC-003 @spec:2.11.1.1 @must @catches:counter-reused @catches:counter-skip
  Scenario: counterValue goes up by one with each new package over several orders
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    And the SUT is ordered to enable profile "C"
    And the device polls the SUT
    And the SUT is ordered to enable profile "A"
    And the device polls the SUT
    Then the eUICC packages the device received count up by one from counterValue 1
    And the SUT reports the order done
    And profile "A" is enabled on the device

  @id:SEC-004 @spec:2.11.1.1 @must @catches:counter-reused @catches:counter-skip
  Scenario: A refused result does not give its counterValue back
    Given a device registered at the SUT whose eUICC signs its results with a corrupted signature
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    And the SUT is ordered to enable profile "C"
    And the device polls the SUT
    Then the eUICC packages the device received count up by one from counterValue 1

  @id:SEC-005 @spec:2.11.1.1 @must @catches:transaction-id-reused
  Scenario: Every package carries an eimTransactionId of its own
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    And the SUT is ordered to enable profile "C"
    And the device polls the SUT
    And the SUT is ordered to get the RAT
    And the device polls the SUT
    Then every eUICC package the device received carries its own eimTransactionId

  @id:SEC-006 @spec:2.11.1.1 @must @catches:counter-reused @catches:package-for-other-eid @catches:bad-package-signature
  Scenario: A package polled again after a lost answer is the same valid package
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT but the answer is lost
    And the device polls the SUT
    Then every eUICC package the device received verifies with the signing key the SUT declares
    And every eUICC package the device received names the device's EID
    And the eUICC packages the device received count up by one from counterValue 1
