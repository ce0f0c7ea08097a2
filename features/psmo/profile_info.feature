@psmo @role:eim
Feature: listProfileInfo and getRAT PSMOs (SGP.32 2.11.1.1, 2.11.2.1, 5.9.4, 5.9.19)
  PSMOs whose result carries data: the SUT must pass on what the eUICC sent.

  @id:PSMO-004 @spec:2.11.1.1 @must @catches:result-data-dropped @catches:wrong-operation
  Scenario: A listProfileInfo PSMO is reported done with the profile list the eUICC sent
    Given a device registered at the SUT
    When the SUT is ordered to list the profiles
    And the device polls the SUT
    Then the eUICC reported listProfileInfoResult profileInfoListOk for operation 1
    And the SUT reports the order done
    And the SUT's report carries the profile list the eUICC sent

  @id:PSMO-005 @spec:2.11.1.1 @must @catches:result-data-dropped @catches:wrong-operation
  Scenario: A getRAT PSMO is reported done with the RAT the eUICC sent
    Given a device registered at the SUT
    And the eUICC of the device has a RAT rule for operator "42f618"
    When the SUT is ordered to get the RAT
    And the device polls the SUT
    Then the eUICC reported getRATResult rat for operation 1
    And the SUT reports the order done
    And the SUT's report carries the RAT the eUICC sent

  @id:PSMO-020 @spec:2.11.2.1 @must @catches:result-codes-ignored @catches:result-codes-dropped
  Scenario: listProfileInfo during a profile change: profileChangeOngoing is reported, not success
    Given a device registered at the SUT
    And the eUICC of the device has a profile change ongoing
    When the SUT is ordered to list the profiles
    And the device polls the SUT
    Then the eUICC reported listProfileInfoResult profileChangeOngoing for operation 1
    And the SUT does not report the order successful
    And the SUT's report carries the eUICC's profileChangeOngoing
