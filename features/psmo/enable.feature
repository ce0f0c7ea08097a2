@psmo @role:eim
Feature: Enable PSMO (SGP.32 2.11.1.1, 5.9.1)
  The eIM orders an enable of a disabled profile; the device polls, its eUICC executes the
  signed package, and the eIM accepts the signed result.

  @id:PSMO-001 @spec:2.11.1.1 @must @catches:bad-package-signature @catches:counter-reused
  Scenario: An enable PSMO is delivered, executed and reported done
    Given a device registered at the SUT
    When the SUT is ordered to enable profile "B"
    And the device polls the SUT
    Then the device executed an eUICC package
    And the SUT reports the order done
    And profile "B" is enabled on the device
    And profile "A" is disabled on the device
