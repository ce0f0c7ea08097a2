@esipa @role:eim
Feature: notifyStateChange in GetEimPackage (SGP.32 6.3.2.6)
  An IPA sets notifyStateChange (with stateChangeCause and rPLMN) in its GetEimPackageRequest
  to tell the eIM that the eUICC's state changed outside the eIM's packages (a fallback, a
  local enable, ...) and that it should update what it knows. What the eIM then does (e.g. order
  a listProfileInfo) is its own policy and not observable as a requirement; what is observable
  is that the poll is still answered as any poll: noEimPackageAvailable when nothing is queued,
  the queued package otherwise — never an error because of the flag (field IPAs have been seen
  re-polling without it after an eIM answered undefinedError, notes 7.4).

  @id:ESIPA-013 @spec:6.3.2.6 @must @catches:notify-state-change-refused
  Scenario: A poll with notifyStateChange and nothing queued: noEimPackageAvailable
    Given a device registered at the SUT
    When the device reports a state change (cause fallback, rPLMN 62F210) on its next poll
    And the device polls the SUT
    Then the SUT has no package for the device

  @id:ESIPA-014 @spec:6.3.2.6 @must @catches:notify-state-change-refused
  Scenario: A poll with notifyStateChange still gets the queued package
    Given a device registered at the SUT
    When the SUT is ordered to get the RAT
    And the device reports a state change (cause deviceChange, rPLMN 62F220) on its next poll
    And the device polls the SUT
    Then the device executed an eUICC package
    And the SUT reports the order done
