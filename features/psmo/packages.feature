@psmo @role:eim
Feature: Packages of several PSMOs (SGP.32 2.11.1.1, 2.11.2.1)
  One eUICC Package carries several PSMOs; the eUICC reports one result each, or stops with
  processingTerminated. One operation not done means the order is not successful.

  @id:PSMO-017 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: Processing terminated after the first of two operations is reported, not success
    Given a device registered at the SUT
    And the eUICC of the device stops processing after 1 operation
    When the SUT is ordered one package of PSMOs:
      | enable | B |
      | delete | C |
    And the device polls the SUT
    Then the eUICC reported enableResult ok for operation 1
    And the eUICC reported processingTerminated interruption for operation 2
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's interruption
    And profile "B" is enabled on the device
    And profile "C" is disabled on the device

  @id:PSMO-019 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: A package whose second operation fails is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered one package of PSMOs:
      | enable | B |
      | delete | B |
    And the device polls the SUT
    Then the eUICC reported enableResult ok for operation 1
    And the eUICC reported deleteResult profileNotInDisabledState for operation 2
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's profileNotInDisabledState
    And profile "B" is enabled on the device
