@psmo @role:eim
Feature: Disable and delete PSMOs (SGP.32 2.11.1.1, 2.11.2.1, 5.9.2, 5.9.3)
  Disable of the enabled profile and delete of a disabled one, ordered at the SUT and executed
  by the eUICC; the error results the eUICC gives when the profile is not in the right state.

  @id:PSMO-002 @spec:2.11.1.1 @must @catches:wrong-operation @catches:bad-package-signature
  Scenario: A disable PSMO is delivered, executed and reported done
    Given a device registered at the SUT
    When the SUT is ordered to disable profile "A"
    And the device polls the SUT
    Then the eUICC reported disableResult ok for operation 1
    And the SUT reports the order done
    And profile "A" is disabled on the device

  @id:PSMO-003 @spec:2.11.1.1 @must @catches:wrong-operation @catches:bad-package-signature
  Scenario: A delete PSMO is delivered, executed and reported done
    Given a device registered at the SUT
    When the SUT is ordered to delete profile "C"
    And the device polls the SUT
    Then the eUICC reported deleteResult ok for operation 1
    And the SUT reports the order done
    And profile "C" is not installed on the device
    And profile "A" is enabled on the device

  @id:PSMO-013 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: Disable of a disabled profile: profileNotInEnabledState is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to disable profile "B"
    And the device polls the SUT
    Then the eUICC reported disableResult profileNotInEnabledState for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's profileNotInEnabledState

  @id:PSMO-014 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: Delete of the enabled profile: profileNotInDisabledState is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to delete profile "A"
    And the device polls the SUT
    Then the eUICC reported deleteResult profileNotInDisabledState for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's profileNotInDisabledState
    And profile "A" is enabled on the device

  @id:PSMO-016 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: Disable answered undefinedError is reported, not success
    Given a device registered at the SUT
    And the eUICC of the device answers undefinedError
    When the SUT is ordered to disable profile "A"
    And the device polls the SUT
    Then the eUICC reported disableResult undefinedError for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's undefinedError
    And profile "A" is enabled on the device
