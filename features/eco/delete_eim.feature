@eco @role:eim
Feature: deleteEim eCO (SGP.32 2.11.1.2, 2.11.2.1)
  The eIM orders the eUICC to forget an associated eIM.

  @id:ECO-002 @spec:2.11.1.2 @must @catches:wrong-operation @catches:bad-package-signature
  Scenario: A deleteEim eCO is executed and reported done
    Given a device registered at the SUT
    And the device also has the eIM "eim2.example.com"
    When the SUT is ordered to delete the eIM "eim2.example.com"
    And the device polls the SUT
    Then the eUICC reported deleteEimResult ok for operation 1
    And the SUT reports the order done
    And the eIM "eim2.example.com" is not associated on the device
    And the SUT's eIM is associated on the device

  @id:ECO-005 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: deleteEim of an eIM not associated: eimNotFound is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to delete the eIM "eim2.example.com"
    And the device polls the SUT
    Then the eUICC reported deleteEimResult eimNotFound for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's eimNotFound
    And the SUT's eIM is associated on the device
