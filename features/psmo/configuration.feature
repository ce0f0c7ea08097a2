@psmo @role:eim
Feature: eUICC configuration PSMOs (SGP.32 2.11.1.1, 2.11.2.1, 5.9.17, 5.9.25)
  setDefaultDpAddress and configureImmediateEnable change the eUICC's configuration.

  @id:PSMO-008 @spec:2.11.1.1 @must @catches:wrong-operation @catches:bad-package-signature
  Scenario: A setDefaultDpAddress PSMO is delivered, executed and reported done
    Given a device registered at the SUT
    When the SUT is ordered to set the default SM-DP+ address to "smdp.example.org"
    And the device polls the SUT
    Then the eUICC reported setDefaultDpAddressResult ok for operation 1
    And the SUT reports the order done
    And the default SM-DP+ address of the device is "smdp.example.org"

  @id:PSMO-009 @spec:2.11.1.1 @must @catches:wrong-operation @catches:bad-package-signature
  Scenario: A configureImmediateEnable PSMO is delivered, executed and reported done
    Given a device registered at the SUT
    When the SUT is ordered to enable immediate enable
    And the device polls the SUT
    Then the eUICC reported configureImmediateEnableResult ok for operation 1
    And the SUT reports the order done
    And immediate enable is configured on the device

  @id:PSMO-023 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: configureImmediateEnable without memory: insufficientMemory is reported, not success
    Given a device registered at the SUT
    And the eUICC of the device has insufficient memory
    When the SUT is ordered to enable immediate enable
    And the device polls the SUT
    Then the eUICC reported configureImmediateEnableResult insufficientMemory for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's insufficientMemory
