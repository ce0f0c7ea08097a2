@download @role:eim @feature:smdp
Feature: Indirect profile download through the eIM (SGP.32 3.2.3.2)
  The operator prepares a profile at an SM-DP+ (the harness's mock, over ES2+) and the eIM is
  ordered to trigger its download. The device's IPA runs the download over ESipa; the eIM relays
  InitiateAuthentication, AuthenticateClient, GetBoundProfilePackage and CancelSession to the
  SM-DP+ named in the activation code (ES9+') and forwards the installation result (PIR) to it.
  These cases need the harness's SM-DP+ beside the SUT (@feature:smdp): they run against the
  embedded eIM, and against a SUT profile whose [smdp] table maps the harness's SM-DP+ address
  to a local URL (the run starts its SM-DP+ there); otherwise they are UNSUPPORTED.

  @id:DL-001 @spec:3.2.3.2 @must @catches:relay-to-wrong-smdp @catches:pir-not-forwarded
  Scenario: A triggered download installs the profile the SM-DP+ prepared
    Given a device registered at the SUT
    And the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the device downloaded and installed that profile
    And the SM-DP+ received the installation result of that profile
    And the SUT reports the order done

  @id:DL-002 @spec:3.2.3.2 @must @catches:relay-to-wrong-smdp @catches:bad-package-signature
  Scenario: The downloaded profile is enabled by a PSMO afterwards
    Given a device registered at the SUT
    And the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    And the SUT is ordered to enable the downloaded profile
    And the device polls the SUT
    Then the downloaded profile is enabled on the device
    And the SUT reports the order done

  @id:DL-003 @spec:3.2.3.2 @must @catches:relay-to-wrong-smdp @catches:ended-download-left-open
  Scenario: A download the SM-DP+ refuses is cancelled through the SUT
    Given a device registered at the SUT
    And the operator has a profile released for the device at the SM-DP+ under an unknown matchingId
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the download failed at the SM-DP+ and the session was cancelled through the SUT
    And the SUT reports the order failed

  @id:DL-004 @spec:6.3.2.1 @must @catches:eim-transaction-id-ignored
  Scenario: An InitiateAuthentication with another eimTransactionId is refused
    Given a device registered at the SUT
    And the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device fetches its package without running it
    And the device starts the download naming another eimTransactionId
    Then the SUT answers InitiateAuthentication with invalidEimTransactionId

  @id:DL-005 @spec:6.3.2.1 @must @catches:smdp-address-unchecked
  Scenario: An InitiateAuthentication naming another SM-DP+ than the activation code is refused
    Given a device registered at the SUT
    And the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device fetches its package without running it
    And the device starts the download naming another SM-DP+ address
    Then the SUT answers InitiateAuthentication with smdpAddressMismatch

  @id:DL-006 @spec:3.2.3.2 @must @catches:pir-not-forwarded
  Scenario: A late installation result with no open session is still forwarded
    Given a device registered at the SUT
    And the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    And the device delivers its installation result to the SUT again
    Then the SM-DP+ received the installation result of that profile twice

  @id:DL-007 @spec:5.9.15 @must @catches:relay-to-wrong-smdp @catches:bad-package-signature @catches:wrong-operation
  Scenario: With immediate enabling configured by a PSMO, the downloaded profile is enabled at once
    Given a device registered at the SUT whose IPA enables a downloaded profile at once
    When the SUT is ordered to enable immediate enable
    And the device polls the SUT
    Then the SUT reports the order done
    Given the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger the download of that profile
    And the device polls the SUT
    Then the device downloaded and installed that profile
    And the downloaded profile is enabled on the device
    And the SUT reports the order done

  @id:DL-016 @spec:2.11.1.4 @must @catches:default-smdp-download-refused
  Scenario: A download triggered with contactDefaultSmdp comes from the default SM-DP+ the SUT set
    Given a device registered at the SUT
    When the SUT is ordered to set the default SM-DP+ address to "smdp.sgp32-harness.test"
    And the device polls the SUT
    Then the SUT reports the order done
    Given the operator has a profile released for the device at the SM-DP+
    When the SUT is ordered to trigger a download from the device's default SM-DP+
    And the device polls the SUT
    Then the device downloaded and installed that profile
    And the SM-DP+ received the installation result of that profile
    And the SUT reports the order done
