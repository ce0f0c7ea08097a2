@eco @role:eim
Feature: listEim eCO (SGP.32 2.11.1.2, 2.11.2.1)
  The eIM asks the eUICC which eIMs are associated; the SUT must pass on the list.

  @id:ECO-004 @spec:2.11.1.2 @must @catches:result-data-dropped @catches:wrong-operation
  Scenario: A listEim eCO is reported done with the eIM list the eUICC sent
    Given a device registered at the SUT
    And the device also has the eIM "eim2.example.com"
    When the SUT is ordered to list the eIMs
    And the device polls the SUT
    Then the eUICC reported listEimResult eimIdList for operation 1
    And the SUT reports the order done
    And the SUT's report carries the eIM list the eUICC sent

  @id:ECO-010 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: listEim answered undefinedError is reported, not success
    Given a device registered at the SUT
    And the eUICC of the device answers undefinedError
    When the SUT is ordered to list the eIMs
    And the device polls the SUT
    Then the eUICC reported listEimResult undefinedError for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's undefinedError
