@esipa @role:eim
Feature: GetEimPackage (SGP.32 6.3.2.6)

  @id:ESIPA-001 @spec:6.3.2.6 @must @catches:choice-tag-twice
  Scenario: Nothing queued: noEimPackageAvailable
    Given a device registered at the SUT
    When the device polls the SUT
    Then the SUT has no package for the device
