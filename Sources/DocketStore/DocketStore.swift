// DocketStore
