@eco @role:eim
Feature: updateEim eCO (SGP.32 2.11.1.2, 2.11.2.1)
  The eIM orders the eUICC to replace parts of an associated eIM's configuration.

  @id:ECO-003 @spec:2.11.1.2 @must @catches:wrong-operation @catches:bad-package-signature
  Scenario: An updateEim eCO is executed and reported done
    Given a device registered at the SUT
    And the device also has the eIM "eim2.example.com"
    When the SUT is ordered to update the eIM "eim2.example.com" to FQDN "eim2-new.example.com"
    And the device polls the SUT
    Then the eUICC reported updateEimResult ok for operation 1
    And the SUT reports the order done
    And the eIM "eim2.example.com" has FQDN "eim2-new.example.com" on the device

  @id:ECO-008 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: updateEim of an eIM not associated: eimNotFound is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to update the eIM "eim2.example.com" to FQDN "eim2-new.example.com"
    And the device polls the SUT
    Then the eUICC reported updateEimResult eimNotFound for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's eimNotFound
    And the eIM "eim2.example.com" is not associated on the device

  @id:ECO-009 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: updateEim with a counter out of range: counterValueOutOfRange is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to update its own eIM to counter "8388608"
    And the device polls the SUT
    Then the eUICC reported updateEimResult counterValueOutOfRange for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's counterValueOutOfRange
