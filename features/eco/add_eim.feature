@eco @role:eim
Feature: addEim eCO (SGP.32 2.11.1.2, 2.11.2.1)
  The eIM orders the eUICC to associate another eIM; the eUICC answers the association token
  it generated, or an error code.

  @id:ECO-001 @spec:2.11.1.2 @must @catches:result-data-dropped @catches:wrong-operation
  Scenario: An addEim eCO is executed and reported done with the association token
    Given a device registered at the SUT
    When the SUT is ordered to add the eIM "eim2.example.com"
    And the device polls the SUT
    Then the eUICC reported addEimResult associationToken for operation 1
    And the SUT reports the order done
    And the SUT's report carries the association token the eUICC sent
    And the eIM "eim2.example.com" is associated on the device
    And the SUT's eIM is associated on the device

  @id:ECO-006 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: addEim of an eIM already associated: associatedEimAlreadyExists is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to add its own eIM again
    And the device polls the SUT
    Then the eUICC reported addEimResult associatedEimAlreadyExists for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's associatedEimAlreadyExists

  @id:ECO-007 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: addEim without memory: insufficientMemory is reported, not success
    Given a device registered at the SUT
    And the eUICC of the device has insufficient memory
    When the SUT is ordered to add the eIM "eim2.example.com"
    And the device polls the SUT
    Then the eUICC reported addEimResult insufficientMemory for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's insufficientMemory
    And the eIM "eim2.example.com" is not associated on the device
