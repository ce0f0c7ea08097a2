@psmo @role:eim
Feature: Fallback attribute PSMOs (SGP.32 2.11.1.1, 2.11.2.1, 5.9.21, 5.9.22)
  setFallbackAttribute moves the attribute to a profile; unsetFallbackAttribute removes it.

  @id:PSMO-006 @spec:2.11.1.1 @must @catches:wrong-operation @catches:bad-package-signature
  Scenario: A setFallbackAttribute PSMO is delivered, executed and reported done
    Given a device registered at the SUT
    When the SUT is ordered to set the fallback attribute on profile "B"
    And the device polls the SUT
    Then the eUICC reported setFallbackAttributeResult ok for operation 1
    And the SUT reports the order done
    And profile "B" is the fallback profile on the device

  @id:PSMO-007 @spec:2.11.1.1 @must @catches:wrong-operation @catches:bad-package-signature
  Scenario: An unsetFallbackAttribute PSMO is delivered, executed and reported done
    Given a device registered at the SUT
    And profile "C" of the device has the fallback attribute
    When the SUT is ordered to unset the fallback attribute
    And the device polls the SUT
    Then the eUICC reported unsetFallbackAttributeResult ok for operation 1
    And the SUT reports the order done
    And no profile is the fallback profile on the device

  @id:PSMO-021 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: setFallbackAttribute of an ICCID not installed: iccidOrAidNotFound is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to set the fallback attribute on profile "89440000000000000099"
    And the device polls the SUT
    Then the eUICC reported setFallbackAttributeResult iccidOrAidNotFound for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's iccidOrAidNotFound

  @id:PSMO-022 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: unsetFallbackAttribute with no Fallback Profile: noFallbackAttribute is reported, not success
    Given a device registered at the SUT
    When the SUT is ordered to unset the fallback attribute
    And the device polls the SUT
    Then the eUICC reported unsetFallbackAttributeResult noFallbackAttribute for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's noFallbackAttribute
