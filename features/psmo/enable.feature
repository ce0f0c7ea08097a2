@psmo @role:eim
Feature: Enable PSMO (SGP.32 2.11.1.1, 2.11.2.1, 5.9.1)
  The eIM orders an enable of a disabled profile; the device polls, its eUICC executes the
  signed package, and the eIM accepts the signed result. When the eUICC reports that the enable
  was not done, the eIM must not report the order successful and must report the eUICC's code.

  @id:PSMO-001 @spec:2.11.1.1 @must @catches:bad-package-signature @catches:counter-reused @catches:wrong-operation
  Scenario: An enable PSMO is delivered, executed and reported done
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the device executed an eUICC package
    And the eUICC reported enableResult ok for operation 1
    And the SUT reports the order done
    And profile "B" is enabled on the device
    And profile "A" is disabled on the device

  @id:PSMO-010 @spec:2.11.1.1 @must @catches:rollback-flag-dropped
  Scenario: An enable ordered with rollback allowed carries rollbackFlag
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B" with rollback allowed
    And the device polls the SUT
    Then the eUICC reported enableResult ok for operation 1
    And the SUT reports the order done
    And profile "B" is enabled on the device
    And the device keeps a rollback point to profile "A"

  @id:PSMO-011 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: Enable of an ICCID not installed: iccidOrAidNotFound is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "89440000000000000099"
    And the device polls the SUT
    Then the eUICC reported enableResult iccidOrAidNotFound for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's iccidOrAidNotFound
    And profile "A" is enabled on the device

  @id:PSMO-012 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: Enable of the enabled profile: profileNotInDisabledState is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "A"
    And the device polls the SUT
    Then the eUICC reported enableResult profileNotInDisabledState for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's profileNotInDisabledState

  @id:PSMO-015 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: Enable while the CAT is busy: catBusy is reported, not success
    Given a device registered at the SUT
    And the eUICC of the device answers catBusy
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the eUICC reported enableResult catBusy for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's catBusy
    And profile "B" is disabled on the device
    And profile "A" is enabled on the device

  @id:PSMO-018 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped @catches:rollback-flag-dropped
  Scenario: Enable with rollback on an eUICC without rollback: rollbackNotAvailable is reported, not success
    Given a device registered at the SUT
    And the eUICC of the device does not support rollback
    When the SUT is ordered to enable profile "B" with rollback allowed
    And the device polls the SUT
    Then the eUICC reported enableResult rollbackNotAvailable for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's rollbackNotAvailable
    And profile "B" is disabled on the device
